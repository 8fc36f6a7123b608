import { copyFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Database } from '../../src/db.js';
import { embeddedDatabasePath, openAsnDatabase, openCountryDatabase } from '../../src/enrich/geoip-database.js';
import { loadAsnRangeTable, loadRangeTable, rangeCacheFile } from '../../src/enrich/range-cache.js';
import { silentLogger } from '../../src/log.js';
import { capturingLogger } from '../helpers/log-capture.js';
import { MAXMIND_TEST_DATA, SKIP_REASON, hasSharedData } from '../helpers/shared-data.js';
import { tempDir } from '../helpers/temp.js';

let db: Database;
beforeEach(async () => {
  db = await Database.open();
});
afterEach(() => db.close());

const testDatabase = (name: string) => path.join(MAXMIND_TEST_DATA, name);
const COUNTRY_KEY = 'geoip.country in portbrief.yaml';
const ASN_KEY = 'geoip.asn in portbrief.yaml';

async function countryOf(address: string): Promise<string | null> {
  const rows = await db.query(`SELECT country FROM geo_ranges WHERE start_key <= ip_key($ip) AND end_key >= ip_key($ip)`, { ip: address });
  return rows.length === 0 ? null : String(rows[0].country);
}

describe.skipIf(!hasSharedData)(`broken and mismatched databases (${SKIP_REASON})`, () => {
  it('rejects a file with only a metadata marker', async () => {
    const file = testDatabase('bad-libmaxminddb-metadata-marker-only.mmdb');
    await expect(openCountryDatabase(file, COUNTRY_KEY)).rejects.toThrow(
      `GeoIP database ${file} is not a valid MaxMind database (Unknown type 178 at offset 1). Check ${COUNTRY_KEY}; it must name a GeoLite2/GeoIP2 Country or City .mmdb file.`,
    );
    await expect(openAsnDatabase(file, ASN_KEY)).rejects.toThrow(
      `GeoIP database ${file} is not a valid MaxMind database (Unknown type 178 at offset 1). Check ${ASN_KEY}; it must name a GeoLite2-ASN or GeoIP2-ISP .mmdb file.`,
    );
  });

  it('rejects a wrong node count', async () => {
    const file = testDatabase('GeoIP2-City-Test-Invalid-Node-Count.mmdb');
    await expect(openCountryDatabase(file, COUNTRY_KEY)).rejects.toThrow(
      `GeoIP database ${file} is damaged: the file ends inside its search tree (22876 bytes, tree needs 700016). Check ${COUNTRY_KEY}; it must name a GeoLite2/GeoIP2 Country or City .mmdb file.`,
    );
  });

  it('rejects a corrupt search tree', async () => {
    const geoip = await openCountryDatabase(testDatabase('bad-libmaxminddb-corrupt-search-tree.mmdb'), COUNTRY_KEY);
    await expect(loadRangeTable(db, geoip, tempDir(), silentLogger())).rejects.toThrow(
      'GeoIP database bad-libmaxminddb-corrupt-search-tree.mmdb (Test) has no country data: no network has a country code. Use a GeoLite2/GeoIP2 Country or City database.',
    );
    const asAsn = await openAsnDatabase(testDatabase('bad-libmaxminddb-corrupt-search-tree.mmdb'), ASN_KEY);
    await expect(loadAsnRangeTable(db, asAsn, tempDir(), silentLogger())).rejects.toThrow(
      'GeoIP database bad-libmaxminddb-corrupt-search-tree.mmdb (Test) has no ASN data: no network has an autonomous system number. Use a GeoLite2-ASN or GeoIP2-ISP database.',
    );
  });

  it.each([['GeoLite2-ASN-Test.mmdb', 'GeoLite2-ASN'], ['GeoIP2-ISP-Test.mmdb', 'GeoIP2-ISP']])('rejects %s as country database', async (name, type) => {
    const file = testDatabase(name);
    await expect(openCountryDatabase(file, COUNTRY_KEY)).rejects.toThrow(
      `GeoIP database ${file} is a ${type} database, which has no country data. Check ${COUNTRY_KEY}; it must name a GeoLite2/GeoIP2 Country or City .mmdb file.`,
    );
  });

  it.each([
    ['GeoIP2-Country-Test.mmdb', 'GeoIP2-Country'],
    ['GeoIP2-City-Test.mmdb', 'GeoIP2-City'],
    ['GeoLite2-Country-Test.mmdb', 'GeoLite2-Country'],
  ])('rejects %s as ASN database', async (name, type) => {
    const file = testDatabase(name);
    await expect(openAsnDatabase(file, ASN_KEY)).rejects.toThrow(
      `GeoIP database ${file} is a ${type} database, which has no autonomous system (ASN) data. Check ${ASN_KEY}; it must name a GeoLite2-ASN or GeoIP2-ISP .mmdb file.`,
    );
  });

  it('rejects the embedded database as ASN database', async () => {
    await expect(openAsnDatabase(embeddedDatabasePath(), ASN_KEY)).rejects.toThrow('is a country ipvAll database, which has no autonomous system (ASN) data.');
  });

  it('names a missing file and the key to fix', async () => {
    await expect(openAsnDatabase('/nonexistent/GeoLite2-ASN.mmdb', ASN_KEY)).rejects.toThrow(
      `GeoIP database /nonexistent/GeoLite2-ASN.mmdb: not found. Check ${ASN_KEY}; it must name a GeoLite2-ASN or GeoIP2-ISP .mmdb file.`,
    );
  });
});

describe.skipIf(!hasSharedData)(`database metadata (${SKIP_REASON})`, () => {
  it('describes a GeoIP2 test database', async () => {
    const geoip = await openCountryDatabase(testDatabase('GeoIP2-Country-Test.mmdb'), COUNTRY_KEY);
    expect(geoip.info).toEqual({
      role: 'country',
      name: 'GeoIP2-Country',
      type: 'GeoIP2-Country',
      description: 'GeoIP2 Country Test Database (fake GeoIP2 data, for example purposes only)',
      file: 'GeoIP2-Country-Test.mmdb',
      buildDate: '2026-02-04T22:49:29.000Z',
      licence: 'MaxMind GeoIP2 commercial licence',
      attribution: 'GeoIP2 data by MaxMind.',
      embedded: false,
    });
  });

  it('describes a current GeoLite2 ASN database', async () => {
    const geoip = await openAsnDatabase(testDatabase('GeoLite2-ASN-Test.mmdb'), ASN_KEY);
    expect(geoip.info).toMatchObject({ role: 'asn', type: 'GeoLite2-ASN', licence: 'GeoLite2 End User License Agreement' });
  });
});

describe.skipIf(!hasSharedData)(`range cache (${SKIP_REASON})`, () => {
  it('is rebuilt when the file changes', async () => {
    const state = tempDir();
    const file = path.join(tempDir(), 'Country.mmdb');
    const { log, lines } = capturingLogger();
    const builds = () => lines.filter((line) => line.msg === 'GeoIP range table built').length;

    copyFileSync(testDatabase('GeoIP2-Country-Test.mmdb'), file);
    const first = await openCountryDatabase(file, COUNTRY_KEY);
    await loadRangeTable(db, first, state, log);
    expect(await countryOf('2001:220::')).toBe('SE');
    expect(await countryOf('175.16.199.0')).toBe('CN');

    await loadRangeTable(db, await openCountryDatabase(file, COUNTRY_KEY), state, log);
    expect(builds()).toBe(1);

    // Same name and the same build epoch (both test databases were built
    // together), so only the content hash distinguishes the two files.
    copyFileSync(testDatabase('GeoLite2-Country-Test.mmdb'), file);
    const second = await openCountryDatabase(file, COUNTRY_KEY);
    expect(second.info.buildDate).toBe(first.info.buildDate);
    expect(rangeCacheFile(second, state)).not.toBe(rangeCacheFile(first, state));

    await loadRangeTable(db, second, state, log);

    expect(builds()).toBe(2);
    expect(await countryOf('2001:220::')).toBe('KR');
    expect(await countryOf('175.16.199.0')).toBeNull();
    expect(readdirSync(path.join(state, 'geoip')).sort()).toEqual(
      [path.basename(rangeCacheFile(first, state)), path.basename(rangeCacheFile(second, state))].sort(),
    );
  });

  it('keeps country and ASN caches apart', async () => {
    const state = tempDir();
    const asn = await openAsnDatabase(testDatabase('GeoIP2-ISP-Test.mmdb'), ASN_KEY);
    await loadAsnRangeTable(db, asn, state, silentLogger());
    expect(path.basename(rangeCacheFile(asn, state))).toMatch(/^asn-GeoIP2-ISP-Test-1770245369-[0-9a-f]{16}\.parquet$/);

    const rows = await db.query(`SELECT asn::INTEGER AS asn, as_org FROM asn_ranges WHERE start_key <= ip_key('1.128.0.0') AND end_key >= ip_key('1.128.0.0')`);
    expect(rows).toEqual([{ asn: 1221, as_org: 'Telstra Pty Ltd' }]);
  });
});
