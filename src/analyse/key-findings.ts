import type { AnalysisSettings, Finding, FindingKind, PortInsight, TopPortInput } from './findings.js';
import type { PortNote } from './port-notes.js';

export interface ClusterInput {
  service: string | null;
  ports: Array<{ port: number; sources: number; sessions: number; rank: number }>;
}

export interface CountryFindingsInput {
  country: string;
  name: string;
  index: number;
  topPorts: TopPortInput[];
  insights: Map<number, PortInsight>;
  clusters: ClusterInput[];
}

/** Order of importance when one port qualifies for several kinds, and of the findings list. */
const PRIORITY: FindingKind[] = ['first-seen', 'baseline-entrant', 'surge', 'cluster', 'new-entrant', 'mover', 'noted-port'];

/** Rank changes of at least this many places count as a mover. */
export const MOVER_MIN_PLACES = 3;

/** Movers reported per client, the largest rank changes first. */
export const MAX_MOVERS = 3;

/**
 * Lists a client's findings, most important first and numbered F1, F2, ...
 * One port gives at most one finding, of its most important kind. Headline
 * findings rest on at least `minSources` distinct sources and, when UDP is
 * excluded, on mostly non-UDP sessions, because UDP sources can be spoofed.
 */
export function keyFindings(countries: CountryFindingsInput[], notes: Map<number, PortNote>, settings: AnalysisSettings): Finding[] {
  const findings: Array<Omit<Finding, 'id'>> = [];

  for (const country of countries) {
    const covered = new Set<number>();

    country.topPorts.forEach((row, position) => {
      const insight = country.insights.get(row.port)!;
      const kind = portKind(row, insight, settings);
      if (!kind) return;
      covered.add(row.port);
      findings.push(portFinding(country, row, position, insight, kind, settings));
    });

    country.clusters.forEach((cluster, position) => {
      const strong = cluster.ports.filter((entry) => entry.sources >= settings.minSources);
      findings.push({
        kind: 'cluster',
        country: country.country,
        countryName: country.name,
        ports: cluster.ports.map((entry) => entry.port),
        headline: strong.length > 0,
        fewSourcePorts: cluster.ports.filter((entry) => entry.sources < settings.minSources).map(({ port, sources }) => ({ port, sources })),
        numbers: { sessions: cluster.ports.reduce((sum, entry) => sum + entry.sessions, 0), ports: cluster.ports.length },
        ref: `countries[${country.index}].clusters[${position}]`,
        label: cluster.service ?? undefined,
      });
    });

    // A note counts as a finding only for ports without a common service
    // (9530, not 445): those are the ports a reader would not recognise.
    country.topPorts.forEach((row, position) => {
      const note = notes.get(row.port);
      if (covered.has(row.port) || !note?.note || note.service) return;
      const insight = country.insights.get(row.port)!;
      findings.push({ ...portFinding(country, row, position, insight, 'noted-port', settings), label: note.note });
    });
  }

  const smallerMovers = findings
    .filter((finding) => finding.kind === 'mover')
    .sort((a, b) => placesMoved(b) - placesMoved(a))
    .slice(MAX_MOVERS);
  return findings
    .filter((finding) => !smallerMovers.includes(finding))
    .sort((a, b) => Number(b.headline) - Number(a.headline) || PRIORITY.indexOf(a.kind) - PRIORITY.indexOf(b.kind) || Number(b.numbers.sessions) - Number(a.numbers.sessions))
    .map((finding, index) => ({ id: `F${index + 1}`, ...finding }));
}

function portKind(row: TopPortInput, insight: PortInsight, settings: AnalysisSettings): FindingKind | null {
  if (insight.firstSeen === true) return 'first-seen';
  if (insight.baselineEntrant === true) return 'baseline-entrant';
  if (insight.surgeScore !== null && insight.surgeScore >= settings.surgeThreshold && insight.baseline && row.sessions > insight.baseline.sessions) return 'surge';
  if (row.newEntrant) return 'new-entrant';
  if (row.previousRank !== null && Math.abs(row.previousRank - row.rank) >= MOVER_MIN_PLACES) return 'mover';
  return null;
}

function portFinding(
  country: CountryFindingsInput,
  row: TopPortInput,
  position: number,
  insight: PortInsight,
  kind: FindingKind,
  settings: AnalysisSettings,
): Omit<Finding, 'id'> {
  const fewSources = row.sources < settings.minSources;
  const mostlyUdp = settings.excludeUdpFromFindings && insight.udpShare > 0.5;
  return {
    kind,
    country: country.country,
    countryName: country.name,
    ports: [row.port],
    headline: !fewSources && !mostlyUdp,
    fewSourcePorts: fewSources ? [{ port: row.port, sources: row.sources }] : [],
    numbers: {
      rank: row.rank,
      previousRank: row.previousRank,
      sessions: row.sessions,
      sources: row.sources,
      share: row.share,
      shareChange: insight.shareChange,
      surgeScore: insight.surgeScore,
      baselineSessions: insight.baseline?.sessions ?? null,
      udpShare: insight.udpShare,
      service: row.service,
    },
    ref: `countries[${country.index}].topPorts[${position}]`,
  };
}

function placesMoved(finding: Omit<Finding, 'id'>): number {
  return Math.abs(Number(finding.numbers.previousRank) - Number(finding.numbers.rank));
}
