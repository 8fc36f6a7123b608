import { readFileSync } from 'node:fs';
import path from 'node:path';
import maxmind from 'maxmind';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Database } from '../../src/db.js';
import { countryOfRecord, embeddedDatabasePath, openCountryDatabase } from '../../src/enrich/geoip-database.js';
import { loadRangeTable } from '../../src/enrich/range-cache.js';
import { silentLogger } from '../../src/log.js';
import { GEOLITE2_2019, MARX_CSV, MAXMIND_TEST_DATA, SKIP_REASON, hasSharedData } from '../helpers/shared-data.js';
import { SHARED_STATE_DIR, tempDir } from '../helpers/temp.js';

let db: Database;
beforeEach(async () => {
  db = await Database.open();
});
afterEach(() => db.close());

/** Locates addresses with the same SQL the weekly run uses, and returns ip -> geo label. */
async function locate(addresses: string[]): Promise<Map<string, string>> {
  await db.run(`CREATE OR REPLACE TEMP TABLE probe (ip VARCHAR)`);
  const appender = await db.connection.createAppender('probe', 'main', 'temp');
  for (const address of addresses) {
    appender.appendVarchar(address);
    appender.endRow();
  }
  appender.closeSync();
  await db.run(
    `CREATE OR REPLACE TEMP TABLE sessions_all AS
     SELECT TIMESTAMPTZ '2025-02-17 00:00:00+00' AS ts, ip_key(ip) AS ip_key, ip_text(ip_key(ip)) AS src_ip, 80::USMALLINT AS dst_port,
            'tcp' AS proto, 'probe' AS sensor, 'probe' AS source, 'probe' AS file, NULL::VARCHAR AS reject_reason
     FROM probe`,
  );
  await db.run(`CREATE OR REPLACE TEMP TABLE sensor_clients AS SELECT 'probe' AS source, 'probe' AS sensor, 'probe' AS client`);
  await db.run(`CREATE OR REPLACE TABLE scanner_networks (name VARCHAR, cidr VARCHAR)`);
  await db.runFile('scanner_ranges.sql');
  await db.runFile('special_ranges.sql');
  await db.run(await db.readQuery('enrich.sql'), { from: '2025-02-17T00:00:00Z', to: '2025-02-24T00:00:00Z' }, 'enrich.sql');
  const rows = await db.query(`SELECT src_ip, coalesce(country, geo_status) AS label FROM sessions`);
  const byKey = new Map(rows.map((row) => [String(row.src_ip), String(row.label)]));
  const keys = await db.query(`SELECT ip, ip_text(ip_key(ip)) AS text FROM probe`);
  return new Map(keys.map((row) => [String(row.ip), byKey.get(String(row.text)) ?? 'missing']));
}

describe('special-purpose addresses', () => {
  it('are labelled, never given a country', async () => {
    const geoip = await openCountryDatabase(undefined, 'portbrief.yaml');
    await loadRangeTable(db, geoip, SHARED_STATE_DIR, silentLogger());
    const labels = await locate(['10.1.2.3', '192.168.0.1', '127.0.0.1', '100.64.1.1', '169.254.3.4', '192.0.2.1', '224.0.0.5', 'fe80::1', 'fd00::1', '::1', '2001:db8::1', '8.8.8.8']);
    expect(Object.fromEntries(labels)).toEqual({
      '10.1.2.3': 'private',
      '192.168.0.1': 'private',
      '127.0.0.1': 'loopback',
      '100.64.1.1': 'shared',
      '169.254.3.4': 'link-local',
      '192.0.2.1': 'documentation',
      '224.0.0.5': 'multicast',
      'fe80::1': 'link-local',
      'fd00::1': 'private',
      '::1': 'loopback',
      '2001:db8::1': 'documentation',
      '8.8.8.8': 'US',
    });
  });

  it('the embedded database is the NRO-derived package', async () => {
    const geoip = await openCountryDatabase(undefined, 'portbrief.yaml');
    expect(geoip.info.embedded).toBe(true);
    expect(geoip.info.file).toBe(path.basename(embeddedDatabasePath()));
    expect(geoip.info.attribution).toContain('CC BY 4.0');
  });
});

/** Lists the first address of each network in a MaxMind test source file, with its expected country. */
function expectedCountries(jsonFile: string): Array<{ ip: string; country: string }> {
  const networks = JSON.parse(readFileSync(jsonFile, 'utf8')) as Array<Record<string, Record<string, unknown>>>;
  const cases: Array<{ ip: string; country: string }> = [];
  for (const entry of networks) {
    const [[network, record]] = Object.entries(entry);
    const country = countryOfRecord(record);
    if (country === null) continue;
    const address = network.split('/')[0];
    // The source files write IPv4 networks inside ::/96.
    cases.push({ ip: /^::\d+\.\d+\.\d+\.\d+$/.test(address) ? address.slice(2) : address, country });
  }
  return cases;
}

describe.skipIf(!hasSharedData)(`range table against MaxMind test data (${SKIP_REASON})`, () => {
  it.each(['GeoIP2-Country-Test', 'GeoIP2-City-Test', 'GeoLite2-Country-Test', 'GeoLite2-City-Test'])('%s matches its source JSON', async (name) => {
    const state = tempDir();
    const geoip = await openCountryDatabase(path.join(MAXMIND_TEST_DATA, `${name}.mmdb`), 'portbrief.yaml');
    await loadRangeTable(db, geoip, state, silentLogger());
    const cases = expectedCountries(path.join(MAXMIND_TEST_DATA, `${name}.json`));
    expect(cases.length).toBeGreaterThan(100);
    expect(cases.some((c) => c.ip.includes(':'))).toBe(true);
    expect(cases.some((c) => !c.ip.includes(':'))).toBe(true);

    const labels = await locate(cases.map((c) => c.ip));

    const mismatches = cases.filter((c) => labels.get(c.ip) !== c.country).map((c) => `${c.ip}: ${labels.get(c.ip)} != ${c.country}`);
    expect(mismatches).toEqual([]);
  });

  it.each([
    ['bad-libmaxminddb-metadata-marker-only.mmdb', 'is not a valid MaxMind database'],
    ['GeoIP2-City-Test-Invalid-Node-Count.mmdb', 'is damaged: the file ends inside its search tree'],
    ['GeoLite2-ASN-Test.mmdb', 'is a GeoLite2-ASN database, which has no country data'],
  ])('rejects %s at open', async (file, message) => {
    await expect(openCountryDatabase(path.join(MAXMIND_TEST_DATA, file), 'portbrief.yaml')).rejects.toThrow(message);
  });

  it('rejects a tree without countries', async () => {
    const geoip = await openCountryDatabase(path.join(MAXMIND_TEST_DATA, 'bad-libmaxminddb-corrupt-search-tree.mmdb'), 'portbrief.yaml');
    await expect(loadRangeTable(db, geoip, tempDir(), silentLogger())).rejects.toThrow('has no country data');
  });

  it('rejects a missing database naming the config key', async () => {
    await expect(openCountryDatabase('/nonexistent/GeoLite2-Country.mmdb', 'portbrief.yaml')).rejects.toThrow(
      'GeoIP database /nonexistent/GeoLite2-Country.mmdb: not found. Check geoip.country in portbrief.yaml',
    );
  });

  it('agrees with per-row maxmind lookups on every marx source address', async () => {
    const geoip = await openCountryDatabase(GEOLITE2_2019, 'portbrief.yaml');
    await loadRangeTable(db, geoip, SHARED_STATE_DIR, silentLogger());
    const rows = await db.query(`SELECT DISTINCT ip_text(ip_key(src)) AS ip FROM read_csv('${MARX_CSV}', all_varchar = true)`);
    const addresses = rows.map((row) => String(row.ip));
    expect(addresses).toHaveLength(69_602);

    const labels = await locate(addresses);
    const reader = await maxmind.open<Record<string, unknown>>(GEOLITE2_2019);

    const mismatches: string[] = [];
    let located = 0;
    for (const address of addresses) {
      const label = labels.get(address)!;
      const expected = countryOfRecord(reader.get(address));
      if (/^[A-Z]{2}$/.test(label)) located++;
      // Special-purpose addresses are labelled before the database is asked.
      if (!/^[A-Z]{2}$/.test(label) && label !== 'unknown') continue;
      if ((expected ?? 'unknown') !== label) mismatches.push(`${address}: ${label} != ${expected}`);
    }
    expect(mismatches).toEqual([]);
    expect(located).toBeGreaterThan(69_000);
  });
});
