import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Database } from '../../src/db.js';
import { openConfiguredDatabases } from '../../src/enrich/enrich.js';
import { embeddedDatabasePath, openCountryDatabase } from '../../src/enrich/geoip-database.js';
import { locate } from '../helpers/locate.js';
import { MAXMIND_TEST_DATA, SKIP_REASON, hasSharedData } from '../helpers/shared-data.js';
import { SHARED_STATE_DIR } from '../helpers/temp.js';

let db: Database;
beforeEach(async () => {
  db = await Database.open();
});
afterEach(() => db.close());

/** Locates addresses with the embedded country database and returns address -> label. */
async function labels(addresses: string[]): Promise<Record<string, string>> {
  const databases = await openConfiguredDatabases({ file: 'portbrief.yaml', geoip: {} });
  const located = await locate(db, databases, SHARED_STATE_DIR, addresses);
  return Object.fromEntries([...located].map(([address, result]) => [address, result.label]));
}

describe('special-purpose addresses', () => {
  it('are labelled, never given a country', async () => {
    expect(
      await labels([
        '10.1.2.3',
        '192.168.0.1',
        '172.31.255.255',
        '127.0.0.1',
        '100.64.1.1',
        '169.254.3.4',
        '192.0.2.1',
        '198.51.100.7',
        '203.0.113.9',
        '224.0.0.5',
        '239.255.255.250',
        '0.0.0.0',
        '0.1.2.3',
        '240.0.0.1',
        '255.255.255.255',
        '198.18.0.1',
        'fe80::1',
        'fd00::1',
        '::1',
        '::',
        '::2',
        '2001:db8::1',
        'ff02::1',
        '8.8.8.8',
      ]),
    ).toEqual({
      '10.1.2.3': 'private',
      '192.168.0.1': 'private',
      '172.31.255.255': 'private',
      '127.0.0.1': 'loopback',
      '100.64.1.1': 'shared',
      '169.254.3.4': 'link-local',
      '192.0.2.1': 'documentation',
      '198.51.100.7': 'documentation',
      '203.0.113.9': 'documentation',
      '224.0.0.5': 'multicast',
      '239.255.255.250': 'multicast',
      '0.0.0.0': 'unspecified',
      '0.1.2.3': 'reserved',
      '240.0.0.1': 'reserved',
      '255.255.255.255': 'reserved',
      '198.18.0.1': 'reserved',
      'fe80::1': 'link-local',
      'fd00::1': 'private',
      '::1': 'loopback',
      '::': 'unspecified',
      '::2': 'reserved',
      '2001:db8::1': 'documentation',
      'ff02::1': 'multicast',
      '8.8.8.8': 'US',
    });
  });

  it('are labelled in IPv4-mapped form too', async () => {
    expect(await labels(['::ffff:10.1.2.3', '::ffff:127.0.0.1', '::ffff:100.64.0.1', '::ffff:8.8.8.8', '::FFFF:0808:0808'])).toEqual({
      '::ffff:10.1.2.3': 'private',
      '::ffff:127.0.0.1': 'loopback',
      '::ffff:100.64.0.1': 'shared',
      '::ffff:8.8.8.8': 'US',
      '::FFFF:0808:0808': 'US',
    });
  });

  it('keep the edges of their blocks', async () => {
    expect(await labels(['9.255.255.255', '11.0.0.0', '100.63.255.255', '100.128.0.0', '172.15.255.255', '172.32.0.0'])).toEqual({
      '9.255.255.255': 'US',
      '11.0.0.0': 'US',
      '100.63.255.255': 'US',
      '100.128.0.0': 'US',
      '172.15.255.255': 'US',
      '172.32.0.0': 'US',
    });
  });
});

describe('embedded database', () => {
  it('is the NRO-derived package', async () => {
    const geoip = await openCountryDatabase(undefined, 'geoip.country in portbrief.yaml');
    expect(geoip.info).toMatchObject({
      role: 'country',
      name: 'geo-whois-asn-country (ip-location-db)',
      type: 'country ipvAll',
      description: null,
      file: path.basename(embeddedDatabasePath()),
      licence: 'CC BY 4.0',
      embedded: true,
    });
    expect(geoip.info.attribution).toContain('data from the Number Resource Organization (nro.net)');
  });

  it('leaves asn empty without an ASN database', async () => {
    const databases = await openConfiguredDatabases({ file: 'portbrief.yaml', geoip: {} });
    const located = await locate(db, databases, SHARED_STATE_DIR, ['8.8.8.8']);
    expect(located.get('8.8.8.8')).toEqual({ label: 'US', asn: null, organisation: null });
  });
});

describe.skipIf(!hasSharedData)(`country and ASN databases together (${SKIP_REASON})`, () => {
  it('gives each address its country and network', async () => {
    const databases = await openConfiguredDatabases({
      file: 'portbrief.yaml',
      geoip: { country: path.join(MAXMIND_TEST_DATA, 'GeoIP2-Country-Test.mmdb'), asn: path.join(MAXMIND_TEST_DATA, 'GeoLite2-ASN-Test.mmdb') },
    });
    const located = await locate(db, databases, SHARED_STATE_DIR, ['1.128.0.1', '::ffff:1.128.0.1', '2001:218::1', '10.0.0.1', '81.2.69.160']);

    expect(Object.fromEntries(located)).toEqual({
      '1.128.0.1': { label: 'unknown', asn: 1221, organisation: 'Telstra Pty Ltd' },
      '::ffff:1.128.0.1': { label: 'unknown', asn: 1221, organisation: 'Telstra Pty Ltd' },
      '2001:218::1': { label: 'JP', asn: null, organisation: null },
      '10.0.0.1': { label: 'private', asn: null, organisation: null },
      '81.2.69.160': { label: 'GB', asn: null, organisation: null },
    });
  });
});
