import { describe, expect, it } from 'vitest';
import type { DatabaseInfo } from '../../src/enrich/database-info.js';
import { databaseAgeWarnings } from '../../src/enrich/database-age.js';
import { parseIsoWeek } from '../../src/week.js';

function database(role: DatabaseInfo['role'], buildDate: string): DatabaseInfo {
  return {
    role,
    name: role === 'country' ? 'GeoLite2-Country' : 'GeoLite2-ASN',
    type: role === 'country' ? 'GeoLite2-Country' : 'GeoLite2-ASN',
    description: null,
    file: role === 'country' ? 'GeoLite2-Country.mmdb' : 'GeoLite2-ASN.mmdb',
    buildDate,
    licence: 'GeoLite2 End User License Agreement',
    attribution: 'This product includes GeoLite2 data created by MaxMind, available from https://www.maxmind.com.',
    embedded: false,
  };
}

// 2025-W08 ends on Monday 2025-02-24 00:00 UTC.
const week = parseIsoWeek('2025-W08');

describe('databaseAgeWarnings', () => {
  it('warns about a database older than 30 days', () => {
    expect(databaseAgeWarnings(database('country', '2025-01-10T17:00:00.000Z'), week)).toEqual([
      'The country database GeoLite2-Country.mmdb was built on 2025-01-10, 44 days before the end of week 2025-W08. ' +
        'Addresses that moved to other countries since then are attributed to their old ones. ' +
        'Point geoip.country at a database built less than 30 days before the week’s end.',
    ]);
  });

  it('warns about an old ASN database', () => {
    expect(databaseAgeWarnings(database('asn', '2024-12-01T00:00:00.000Z'), week)).toEqual([
      'The ASN database GeoLite2-ASN.mmdb was built on 2024-12-01, 85 days before the end of week 2025-W08. ' +
        'Addresses that moved to other networks since then are attributed to their old ones. ' +
        'Point geoip.asn at a database built less than 30 days before the week’s end.',
    ]);
  });

  it('warns about a database built years later', () => {
    expect(databaseAgeWarnings(database('country', '2027-03-01T12:00:00.000Z'), week)).toEqual([
      'The country database GeoLite2-Country.mmdb was built on 2027-03-01, 735 days after the end of week 2025-W08. ' +
        'Addresses may have moved to other countries since that week, so some attributions may be wrong for it. ' +
        'For an old week, point geoip.country at a database built near that week if you have one.',
    ]);
  });

  it.each([
    ['exactly 30 days before', '2025-01-25T00:00:00.000Z'],
    ['during the week', '2025-02-18T06:00:00.000Z'],
    ['the week after', '2025-02-25T06:00:00.000Z'],
    ['365 days after', '2026-02-24T00:00:00.000Z'],
  ])('accepts a database built %s', (_, buildDate) => {
    expect(databaseAgeWarnings(database('country', buildDate), week)).toEqual([]);
  });

  it('warns from the 31st day before', () => {
    expect(databaseAgeWarnings(database('country', '2025-01-24T00:00:00.000Z'), week)).toHaveLength(1);
  });

  it('warns from the 366th day after', () => {
    expect(databaseAgeWarnings(database('country', '2026-02-25T00:00:00.000Z'), week)).toHaveLength(1);
  });
});
