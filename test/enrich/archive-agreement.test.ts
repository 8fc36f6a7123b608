import maxmind from 'maxmind';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database } from '../../src/db.js';
import { openConfiguredDatabases } from '../../src/enrich/enrich.js';
import { countryOfRecord } from '../../src/enrich/records.js';
import { locate } from '../helpers/locate.js';
import { GEOLITE2_2019, MARX_CSV, SKIP_REASON, UFW_LOGS, hasSharedData } from '../helpers/shared-data.js';
import { SHARED_STATE_DIR } from '../helpers/temp.js';

let db: Database;
beforeAll(async () => {
  db = await Database.open();
});
afterAll(() => db.close());

/**
 * Locates every address through the range-table join and again with
 * maxmind's own per-address reader, and returns the addresses where the two
 * differ. Special-purpose addresses are skipped, because the join labels
 * them before the database is asked.
 */
async function disagreements(addresses: string[]): Promise<{ mismatches: string[]; located: number }> {
  const databases = await openConfiguredDatabases({ file: 'portbrief.yaml', geoip: { country: GEOLITE2_2019 } });
  const labels = await locate(db, databases, SHARED_STATE_DIR, addresses);
  const reader = await maxmind.open<Record<string, unknown>>(GEOLITE2_2019);

  const mismatches: string[] = [];
  let located = 0;
  for (const address of addresses) {
    const label = labels.get(address)!.label;
    const isCountry = /^[A-Z]{2}$/.test(label);
    if (isCountry) located++;
    if (!isCountry && label !== 'unknown') continue;

    const expected = countryOfRecord(reader.get(address)) ?? 'unknown';
    if (expected !== label) mismatches.push(`${address}: ${label} != ${expected}`);
  }
  return { mismatches, located };
}

describe.skipIf(!hasSharedData)(`range table against per-row maxmind lookups (${SKIP_REASON})`, () => {
  it('agrees on every marx source address', async () => {
    // marx stores sources as unsigned 32-bit integers.
    const rows = await db.query(`SELECT DISTINCT ip_text(ip_key(src)) AS ip FROM read_csv('${MARX_CSV}', all_varchar = true)`);
    const addresses = rows.map((row) => String(row.ip));
    expect(addresses).toHaveLength(69_602);

    const { mismatches, located } = await disagreements(addresses);

    expect(mismatches).toEqual([]);
    expect(located).toBe(69_507);
  });

  it('agrees on every ufw source address', async () => {
    // Each line is read whole (the delimiter byte 0x01 never occurs) and SRC= is taken out with a regular expression.
    const rows = await db.query(
      `SELECT DISTINCT regexp_extract(line, ' SRC=([0-9A-Fa-f.:]+) ', 1) AS ip
       FROM read_csv('${UFW_LOGS}', columns = {'line': 'VARCHAR'}, delim = E'\\x01', quote = '', escape = '', header = false, auto_detect = false)
       WHERE ip <> ''`,
    );
    const addresses = rows.map((row) => String(row.ip));
    expect(addresses).toHaveLength(17_033);
    expect(addresses.every((address) => !address.includes(':'))).toBe(true);

    const { mismatches, located } = await disagreements(addresses);

    expect(mismatches).toEqual([]);
    expect(located).toBe(16_864);
  });
});
