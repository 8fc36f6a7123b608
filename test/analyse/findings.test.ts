import { describe, expect, it } from 'vitest';
import { type AnalysisSettings, baselineWeeksOf, portClusters, portInsights, surgeScoreOf } from '../../src/analyse/findings.js';
import type { PortNote } from '../../src/analyse/port-notes.js';

const notes = new Map<number, PortNote>([
  [22, { port: 22, proto: 'tcp', service: 'SSH', tags: [], references: [] }],
  [23, { port: 23, proto: 'tcp', service: 'Telnet', tags: [], references: [] }],
  [3389, { port: 3389, proto: 'tcp', service: 'RDP', tags: [], references: [] }],
]);

const settings: AnalysisSettings = {
  weeks: ['2025-W01', '2025-W02', '2025-W03', '2025-W04', '2025-W05', '2025-W06'],
  ports: 10,
  minSources: 3,
  excludeUdpFromFindings: true,
  baselineWeeks: 4,
  trendWeeks: 3,
  surgeThreshold: 10,
  clusterDistance: 2,
};

const ports = (...numbers: number[]) => numbers.map((port) => ({ port }));

describe('portClusters', () => {
  it('names a cluster after its service port', () => {
    expect(portClusters(ports(3388, 3389, 3390, 3391, 445), 1, notes)).toEqual([{ ports: ports(3388, 3389, 3390, 3391), service: 'RDP' }]);
  });

  it('never joins two service ports', () => {
    expect(portClusters(ports(22, 23), 2, notes)).toEqual([]);
  });

  it('reports an unnamed chain from three ports', () => {
    expect(portClusters(ports(6666, 6668, 6670), 2, notes)).toEqual([{ ports: ports(6666, 6668, 6670), service: null }]);
    expect(portClusters(ports(6666, 6668), 2, notes)).toEqual([]);
  });

  it('respects the distance', () => {
    expect(portClusters(ports(3389, 3392), 2, notes)).toEqual([]);
    expect(portClusters(ports(3389, 3392), 3, notes)).toEqual([{ ports: ports(3389, 3392), service: 'RDP' }]);
  });
});

describe('surgeScoreOf', () => {
  it('follows sqrt((S-s)^2/s + (T-t)^2/t)', () => {
    // (200-100)^2/100 + (40-10)^2/10 = 100 + 90
    expect(surgeScoreOf(200, 40, { sessions: 100, sources: 10 })).toBe(13.78);
  });

  it('is null without baseline activity', () => {
    expect(surgeScoreOf(45, 12, { sessions: 0, sources: 0 })).toBeNull();
  });
});

describe('baselines', () => {
  const countryWeeks = ['2025-W01', '2025-W02', '2025-W04', '2025-W05', '2025-W06'].map((week) => ({ country: 'IR', week, sessions: 100, sources: 10 }));

  it('take the latest earlier weeks with data', () => {
    expect(baselineWeeksOf('IR', countryWeeks, settings)).toEqual(['2025-W05', '2025-W04', '2025-W02', '2025-W01']);
  });

  it('leave out weeks the sensors covered in part', () => {
    expect(baselineWeeksOf('IR', countryWeeks, settings, new Set(['2025-W04']))).toEqual(['2025-W05', '2025-W02', '2025-W01']);
  });

  it('flag a baseline entrant', () => {
    const portWeeks = [
      { country: 'IR', port: 9530, week: '2025-W02', rank: 25, sessions: 1, sources: 1, udpSessions: 0, share: 0.01 },
      { country: 'IR', port: 9530, week: '2025-W06', rank: 7, sessions: 45, sources: 12, udpSessions: 0, share: 0.45 },
    ];
    const country = {
      country: 'IR',
      name: 'Iran',
      index: 0,
      topPorts: [{ rank: 7, port: 9530, service: '', sessions: 45, sources: 12, share: 0.45, previousRank: null, newEntrant: true }],
    };

    const insight = portInsights(country, portWeeks, countryWeeks, new Set(['IR:9530']), settings).get(9530)!;

    expect(insight).toEqual({
      baselineEntrant: true,
      firstSeen: false,
      baseline: { sessions: 0.25, sources: 0.25 },
      // sqrt((45 - 0.25)^2 / 0.25 + (12 - 0.25)^2 / 0.25)
      surgeScore: 92.53,
      shareChange: null,
      trend: [
        { week: '2025-W04', share: 0 },
        { week: '2025-W05', share: 0 },
        { week: '2025-W06', share: 0.45 },
      ],
      udpShare: 0,
    });
  });
});
