import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatKey, keyOfCanonical, networkCidr } from '../../src/enrich/address.js';
import { openConfiguredDatabases } from '../../src/enrich/enrich.js';
import { formatAddressReport, lookupAddresses } from '../../src/enrich/lookup.js';
import { asnOfRecord, countryOfRecord } from '../../src/enrich/records.js';
import { GEOLITE2_2019, MAXMIND_TEST_DATA, SKIP_REASON, hasSharedData } from '../helpers/shared-data.js';

describe('address keys', () => {
  it.each([
    ['61.131.218.218', '61.131.218.218'],
    ['2001:db8:0:0:0:0:0:1', '2001:db8::1'],
    ['0:0:0:0:0:0:0:0', '::'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['2001:db8:0:1:0:0:0:1', '2001:db8:0:1::1'],
    ['2001:0:0:1:0:0:1:1', '2001::1:0:0:1:1'],
    ['fe80:0:0:0:0:0:0:0', 'fe80::'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2:3:4:5:6'],
  ])('writes %s as %s', (canonical, expected) => {
    expect(formatKey(keyOfCanonical(canonical))).toBe(expected);
  });

  it.each([
    ['61.131.218.218', 10, '61.128.0.0/10'],
    ['8.8.8.8', 32, '8.8.8.8/32'],
    ['1.2.3.4', 0, '0.0.0.0/0'],
    ['2001:218:0:0:0:0:0:1', 32, '2001:218::/32'],
    ['2001:db8:ffff:0:0:0:0:1', 48, '2001:db8:ffff::/48'],
  ])('puts %s/%i in %s', (canonical, prefixLength, expected) => {
    expect(networkCidr(keyOfCanonical(canonical), prefixLength)).toBe(expected);
  });
});

describe('countryOfRecord', () => {
  it.each([
    ['country first', { country: { iso_code: 'GB' }, registered_country: { iso_code: 'US' } }, 'GB'],
    ['registered country without a location', { registered_country: { iso_code: 'DE' } }, 'DE'],
    ['flat country_code layout', { country_code: 'AU' }, 'AU'],
    ['represented country ignored', { represented_country: { iso_code: 'US' } }, null],
    ['no record', null, null],
  ])('takes %s', (_, record, expected) => {
    expect(countryOfRecord(record)).toBe(expected);
  });
});

describe('asnOfRecord', () => {
  it.each([
    ['number and organisation', { autonomous_system_number: 1221, autonomous_system_organization: 'Telstra Pty Ltd' }, { asn: 1221, organisation: 'Telstra Pty Ltd' }],
    ['number only', { autonomous_system_number: 7018 }, { asn: 7018, organisation: '' }],
    ['ISP record without a number', { isp: 'Level 3 Communications' }, null],
  ])('reads %s', (_, record, expected) => {
    expect(asnOfRecord(record)).toEqual(expected);
  });
});

describe('lookupAddresses', () => {
  it('labels special-purpose addresses with their block', async () => {
    const databases = await openConfiguredDatabases({ file: 'portbrief.yaml', geoip: {} });
    const reports = await lookupAddresses(['10.1.2.3', '::ffff:127.0.0.1', 'fe80::1%eth0', '0.0.0.0', '0.1.2.3'], databases);
    expect(reports.map(formatAddressReport)).toEqual([
      '10.1.2.3\tprivate\t10.0.0.0/8\t-\t-\t-',
      '::ffff:127.0.0.1\tloopback\t127.0.0.0/8\t-\t-\t-',
      'fe80::1%eth0\tlink-local\tfe80::/10\t-\t-\t-',
      '0.0.0.0\tunspecified\t0.0.0.0/32\t-\t-\t-',
      '0.1.2.3\treserved\t0.0.0.0/8\t-\t-\t-',
    ]);
  });

  it('rejects every invalid address at once', async () => {
    const databases = await openConfiguredDatabases({ file: 'portbrief.yaml', geoip: {} });
    await expect(lookupAddresses(['8.8.8.8', '1.2.3', '2001:db8::g'], databases)).rejects.toThrow(
      "Invalid IP addresses '1.2.3', '2001:db8::g': write IPv4 as a.b.c.d (or a decimal integer) and IPv6 as hex groups such as 2001:db8::1.",
    );
  });
});

describe.skipIf(!hasSharedData)(`lookupAddresses with MaxMind databases (${SKIP_REASON})`, () => {
  it('reports country, network and ASN', async () => {
    const databases = await openConfiguredDatabases({
      file: 'portbrief.yaml',
      geoip: { country: GEOLITE2_2019, asn: path.join(MAXMIND_TEST_DATA, 'GeoLite2-ASN-Test.mmdb') },
    });
    const reports = await lookupAddresses(['12.81.92.1', '::ffff:12.81.96.7', '2001:1700::1', '1032051418', 'fec0::1'], databases);
    expect(reports).toEqual([
      { address: '12.81.92.1', location: 'US', network: '12.80.0.0/14', asn: 7018, organisation: 'AT&T Services', asnNetwork: '12.81.92.0/22' },
      { address: '::ffff:12.81.96.7', location: 'US', network: '12.80.0.0/14', asn: 7018, organisation: '', asnNetwork: '12.81.96.0/19' },
      { address: '2001:1700::1', location: 'CH', network: '2001:1700::/27', asn: 6730, organisation: 'Sunrise Communications AG', asnNetwork: '2001:1700::/27' },
      { address: '1032051418', location: 'CN', network: '61.128.0.0/10', asn: null, organisation: null, asnNetwork: null },
      { address: 'fec0::1', location: 'unknown', network: null, asn: null, organisation: null, asnNetwork: null },
    ]);
  });

  it('prefers country over registered country', async () => {
    // In GeoIP2-Country-Test, 81.2.69.160/27 is located in GB but registered in US.
    const databases = await openConfiguredDatabases({ file: 'portbrief.yaml', geoip: { country: path.join(MAXMIND_TEST_DATA, 'GeoIP2-Country-Test.mmdb') } });
    const reports = await lookupAddresses(['81.2.69.160'], databases);
    expect(reports[0]).toMatchObject({ location: 'GB', network: '81.2.69.160/27' });
  });

  it('finds nothing for IPv6 in an IPv4 database', async () => {
    const databases = await openConfiguredDatabases({ file: 'portbrief.yaml', geoip: { country: path.join(MAXMIND_TEST_DATA, 'MaxMind-DB-test-ipv4-24.mmdb') } });
    const reports = await lookupAddresses(['2001:db9::1'], databases);
    expect(reports[0]).toMatchObject({ location: 'unknown', network: null });
  });
});
