import type { PortInsight } from '../analyse/findings.js';
import type { Brief } from '../brief.js';

/** Builds the insight of a port with no baseline yet. */
function insight(overrides: Partial<PortInsight> = {}): PortInsight {
  return { baselineEntrant: null, firstSeen: null, baseline: null, surgeScore: null, shareChange: null, trend: [], udpShare: 0, ...overrides };
}

/** Builds a small, fixed brief model, for checking templates without data and for render tests. `overrides` replace top-level fields. */
export function sampleBrief(overrides: Partial<Brief> = {}): Brief {
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
    databases: [
      {
        role: 'country',
        name: 'GeoLite2-Country',
        type: 'GeoLite2-Country',
        description: 'GeoLite2 Country database',
        file: 'GeoLite2-Country.mmdb',
        buildDate: '2025-02-18T00:00:00.000Z',
        licence: 'GeoLite2 End User License Agreement',
        attribution: 'This product includes GeoLite2 data created by MaxMind, available from https://www.maxmind.com.',
        embedded: false,
      },
      {
        role: 'asn',
        name: 'GeoLite2-ASN',
        type: 'GeoLite2-ASN',
        description: 'GeoLite2 ASN database',
        file: 'GeoLite2-ASN.mmdb',
        buildDate: '2025-02-18T00:00:00.000Z',
        licence: 'GeoLite2 End User License Agreement',
        attribution: 'This product includes GeoLite2 data created by MaxMind, available from https://www.maxmind.com.',
        embedded: false,
      },
    ],
    databaseWarnings: [],
    registry: { name: 'IANA Service Name and Transport Protocol Port Number Registry', updated: '2024-04-30' },
    totals: { rowsRead: 1200, accepted: 1190, rejected: 10 },
    files: [{ file: 'sensors/week.csv', source: 'sensors', rowsRead: 1200, accepted: 1190, rejected: 10, reasons: { 'invalid source IP': 10 }, skipped: {}, damage: null }],
    rejectReasons: [{ reason: 'invalid source IP', rows: 10 }],
    skippedRecords: [],
    damagedFiles: [],
    weekTotals: {
      sessions: 1190,
      located: 1180,
      countries: 2,
      byStatus: [
        { status: 'country', label: 'Located in a country', sessions: 1180, share: 1180 / 1190 },
        { status: 'private', label: 'Private network (10/8, 172.16/12, 192.168/16, fc00::/7)', sessions: 10, share: 10 / 1190 },
      ],
    },
    portsShown: 10,
    networksShown: 3,
    countries: [
      {
        country: 'IR',
        name: 'Iran',
        sessions: 1000,
        sources: 40,
        share: 1000 / 1180,
        baselineEstablished: false,
        baselineWeeks: ['2025-W07'],
        clusters: [],
        topPorts: [
          { rank: 1, port: 23, service: 'telnet', registryStatus: 'assigned', sessions: 600, sources: 30, share: 0.6, previousRank: 1,
            newEntrant: false,
            note: null,
            insight: insight({ shareChange: -2.5 }),
            networks: [
              { asn: 58224, organisation: 'Iran Telecommunication Company PJS', sessions: 420, sources: 21, share: 0.7 },
              { asn: 44244, organisation: 'Iran Cell Service and Communication Company', sessions: 90, sources: 5, share: 0.15 },
            ],
          },
          { rank: 2, port: 9530, service: '', registryStatus: 'unassigned', sessions: 400, sources: 12, share: 0.4, previousRank: null, newEntrant: true, note: { text: 'Unassigned by IANA; known as the backdoor port of Xiongmai DVR firmware.', tags: ['iot'], references: ['https://habr.com/en/post/486856/'] }, insight: insight({ firstSeen: true }), networks: [] },
        ],
      },
      {
        country: 'US',
        name: 'United States',
        sessions: 180,
        sources: 9,
        share: 180 / 1180,
        baselineEstablished: false,
        baselineWeeks: ['2025-W07'],
        clusters: [],
        topPorts: [{ rank: 1, port: 443, service: 'https', registryStatus: 'assigned', sessions: 180, sources: 9, share: 1, previousRank: 2, newEntrant: false, note: null, insight: insight(), networks: [{ asn: 16509, organisation: '', sessions: 180, sources: 9, share: 1 }] }],
      },
    ],
    quietCountries: [{ country: 'NL', name: 'Netherlands' }],
    coverage: {
      archiveStart: '2025-02-11T01:18:00Z',
      archiveEnd: '2025-02-23T23:58:40Z',
      week: { first: '2025-02-17T00:02:11Z', last: '2025-02-23T23:58:40Z', partial: false },
      previous: { first: '2025-02-11T01:18:00Z', last: '2025-02-16T23:59:02Z', partial: true },
      sensorGaps: [
        { sensor: 'honeytrap', kind: 'silent', first: null, last: '2025-02-16T21:40:12Z', previousShare: 0.21 },
        { sensor: 'dionaea', kind: 'stopped', first: '2025-02-17T00:05:43Z', last: '2025-02-19T08:12:09Z', previousShare: 0.35 },
      ],
    },
    newEntrants: [{ country: 'IR', name: 'Iran', port: 9530, service: '', rank: 2, sources: 12 }],
    archiveWeeks: ['2025-W07', '2025-W08'],
    findings: [
      {
        id: 'F1',
        kind: 'first-seen',
        country: 'IR',
        countryName: 'Iran',
        ports: [9530],
        headline: true,
        fewSourcePorts: [],
        numbers: { rank: 2, previousRank: null, sessions: 400, sources: 12, share: 0.4, shareChange: null, surgeScore: null, baselineSessions: null, udpShare: 0, service: '' },
        ref: 'countries[0].topPorts[1]',
      },
    ],
    method: { rankBy: 'sessions', minSources: 3, excludeUdpFromFindings: true, baselineWeeks: 4, trendWeeks: 8, surgeThreshold: 10, clusterDistance: 2, moverMinPlaces: 3, maxMovers: 3 },
    scanners: [],
    weeklySessions: [
      { week: '2025-W07', country: 'Iran', sessions: 700 },
      { week: '2025-W08', country: 'Iran', sessions: 1000 },
      { week: '2025-W07', country: 'United States', sessions: 150 },
      { week: '2025-W08', country: 'United States', sessions: 180 },
    ],
    ...overrides,
  };
}
