import type { Brief } from '../../src/brief.js';

/** Builds a small, fixed brief model for render tests. `overrides` replace top-level fields. */
export function briefFixture(overrides: Partial<Brief> = {}): Brief {
  return {
    client: { id: 'example', name: 'Example Client' },
    title: 'Weekly port targeting brief',
    organisation: 'Example Security',
    tlp: 'TLP:AMBER',
    week: '2025-W08',
    weekStart: '2025-02-17',
    weekEnd: '2025-02-23',
    previousWeek: '2025-W07',
    comparisonAvailable: true,
    generatedAt: '2025-02-24T06:00:00.000Z',
    database: {
      name: 'GeoLite2-Country',
      type: 'GeoLite2-Country',
      file: 'GeoLite2-Country.mmdb',
      buildDate: '2025-02-18T00:00:00.000Z',
      attribution: 'This product includes GeoLite2 data created by MaxMind.',
      embedded: false,
    },
    registry: { name: 'IANA Service Name and Transport Protocol Port Number Registry', updated: '2024-04-30' },
    totals: { rowsRead: 1200, accepted: 1190, rejected: 10 },
    files: [{ file: 'sensors/week.csv', source: 'sensors', rowsRead: 1200, accepted: 1190, rejected: 10, reasons: { 'invalid source IP': 10 }, skipped: {}, damage: null }],
    rejectReasons: [{ reason: 'invalid source IP', rows: 10 }],
    skippedRecords: [],
    damagedFiles: [],
    weekTotals: { sessions: 1190, located: 1180, countries: 2, byStatus: [{ status: 'country', sessions: 1180 }, { status: 'private', sessions: 10 }] },
    portsShown: 10,
    countries: [
      {
        country: 'IR',
        name: 'Iran',
        sessions: 1000,
        sources: 40,
        share: 1000 / 1180,
        topPorts: [
          { rank: 1, port: 23, service: 'telnet', registryStatus: 'assigned', sessions: 600, sources: 30, share: 0.6, previousRank: 1, newEntrant: false },
          { rank: 2, port: 9530, service: '', registryStatus: 'unassigned', sessions: 400, sources: 12, share: 0.4, previousRank: null, newEntrant: true },
        ],
      },
      {
        country: 'US',
        name: 'United States',
        sessions: 180,
        sources: 9,
        share: 180 / 1180,
        topPorts: [{ rank: 1, port: 443, service: 'https', registryStatus: 'assigned', sessions: 180, sources: 9, share: 1, previousRank: 2, newEntrant: false }],
      },
    ],
    newEntrants: [{ country: 'IR', name: 'Iran', port: 9530, service: '', rank: 2, sources: 12 }],
    archiveWeeks: ['2025-W07', '2025-W08'],
    ...overrides,
  };
}
