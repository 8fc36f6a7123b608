/**
 * Pure analysis of a client's weekly tables: baselines, first-seen ports,
 * movers, surge scores, share trends and port clusters, and the findings a
 * brief leads with. No I/O: the numbers come in from queries/, so every rule
 * here is tested on fixed inputs.
 */
import type { PortNote } from './port-notes.js';

export interface PortWeekRow {
  country: string;
  port: number;
  week: string;
  rank: number;
  sessions: number;
  sources: number;
  udpSessions: number;
  share: number;
}

export interface CountryWeekRow {
  country: string;
  week: string;
  sessions: number;
  sources: number;
}

export interface AnalysisSettings {
  /** The window's ISO weeks in order; the last is the report week. */
  weeks: string[];
  /** Ports shown per country (top N). */
  ports: number;
  minSources: number;
  excludeUdpFromFindings: boolean;
  baselineWeeks: number;
  trendWeeks: number;
  surgeThreshold: number;
  clusterDistance: number;
}

/** The analysis figures of one port in a country's top-N table. */
export interface PortInsight {
  /** In this week's top N and outside the top 20 in each baseline week; null until the baseline is established. */
  baselineEntrant: boolean | null;
  /** Never seen for this country earlier in the archive; null when the archive has no earlier weeks. */
  firstSeen: boolean | null;
  /** Mean sessions and sources per baseline week (0 where the port was not seen); null until established. */
  baseline: { sessions: number; sources: number } | null;
  /**
   * sqrt((S-s)²/s + (T-t)²/t) over sessions S and sources T against the
   * baseline means s and t. Null without a baseline, or when s or t is 0.
   */
  surgeScore: number | null;
  /** Share change since the previous week in percentage points; null when not ranked then. */
  shareChange: number | null;
  /** The port's share of the country's sessions in each of the last weeks; null for a week without data for the country. */
  trend: Array<{ week: string; share: number | null }>;
  udpShare: number;
}

export type FindingKind = 'baseline-entrant' | 'new-entrant' | 'first-seen' | 'surge' | 'cluster' | 'mover' | 'noted-port';

export interface Finding {
  id: string;
  kind: FindingKind;
  country: string;
  countryName: string;
  ports: number[];
  /** Meets the bar for the key findings: enough distinct sources, and not mostly UDP when UDP is excluded. */
  headline: boolean;
  /** Ports of the finding that come from fewer distinct sources than the minimum. */
  fewSourcePorts: Array<{ port: number; sources: number }>;
  /** The numbers the finding rests on, also found at `ref` in brief.json. */
  numbers: Record<string, number | string | null>;
  /** The brief.json path of the finding's port rows, such as countries[2].topPorts[6]. */
  ref: string;
  /** The cluster's service name (RDP) or the noted port's note, for the sentence. */
  label?: string;
}

export interface TopPortInput {
  rank: number;
  port: number;
  service: string;
  sessions: number;
  sources: number;
  share: number;
  previousRank: number | null;
  newEntrant: boolean;
}

export interface CountryInput {
  country: string;
  name: string;
  /** Index of the country's section in the brief, for references. */
  index: number;
  topPorts: TopPortInput[];
}

/** Returns a country's baseline weeks: its most recent earlier weeks with data that the sensors covered in full, newest first. */
export function baselineWeeksOf(country: string, countryWeeks: CountryWeekRow[], settings: AnalysisSettings, partialWeeks: ReadonlySet<string> = new Set()): string[] {
  const report = settings.weeks.at(-1)!;
  return countryWeeks
    .filter((row) => row.country === country && row.week < report && row.sessions > 0 && !partialWeeks.has(row.week))
    .map((row) => row.week)
    .sort()
    .reverse()
    .slice(0, settings.baselineWeeks);
}

/** Computes the per-port insights of a country's top-N table. */
export function portInsights(
  country: CountryInput,
  portWeeks: PortWeekRow[],
  countryWeeks: CountryWeekRow[],
  seenBefore: Set<string> | null,
  settings: AnalysisSettings,
  partialWeeks: ReadonlySet<string> = new Set(),
): Map<number, PortInsight> {
  const baselineWeeks = baselineWeeksOf(country.country, countryWeeks, settings, partialWeeks);
  const established = baselineWeeks.length >= settings.baselineWeeks;
  const weeksWithData = new Set(countryWeeks.filter((row) => row.country === country.country).map((row) => row.week));
  const trendWeeks = settings.weeks.slice(-settings.trendWeeks);
  const report = settings.weeks.at(-1)!;
  const previous = settings.weeks.at(-2);

  const insights = new Map<number, PortInsight>();
  for (const row of country.topPorts) {
    const history = new Map(portWeeks.filter((w) => w.country === country.country && w.port === row.port).map((w) => [w.week, w]));
    const current = history.get(report);
    const before = previous ? history.get(previous) : undefined;

    let baseline: PortInsight['baseline'] = null;
    let surgeScore: number | null = null;
    let baselineEntrant: boolean | null = null;
    if (established) {
      const rows = baselineWeeks.map((week) => history.get(week));
      baseline = {
        sessions: mean(rows.map((w) => w?.sessions ?? 0)),
        sources: mean(rows.map((w) => w?.sources ?? 0)),
      };
      baselineEntrant = rows.every((w) => w === undefined || w.rank > 20);
      surgeScore = surgeScoreOf(row.sessions, row.sources, baseline);
    }

    insights.set(row.port, {
      baselineEntrant,
      firstSeen: seenBefore === null ? null : !seenBefore.has(`${country.country}:${row.port}`),
      baseline,
      surgeScore,
      shareChange: before ? round((row.share - before.share) * 100, 2) : null,
      trend: trendWeeks.map((week) => ({ week, share: weeksWithData.has(week) ? (history.get(week)?.share ?? 0) : null })),
      udpShare: current && current.sessions > 0 ? current.udpSessions / current.sessions : 0,
    });
  }
  return insights;
}

/** DShield's surge score: sqrt((S-s)²/s + (T-t)²/t); null when a baseline mean is 0 (the port is new rather than surging). */
export function surgeScoreOf(sessions: number, sources: number, baseline: { sessions: number; sources: number }): number | null {
  if (baseline.sessions === 0 || baseline.sources === 0) return null;
  const score = Math.sqrt((sessions - baseline.sessions) ** 2 / baseline.sessions + (sources - baseline.sources) ** 2 / baseline.sources);
  return round(score, 2);
}

/**
 * Groups a country's top-20 ports into clusters of neighbours, the pattern of
 * a service probed on non-standard ports (3389, 3390, 3391 around RDP).
 * Ports without a service name in the notes are chained when no more than
 * `distance` apart. A chain within `distance` of a noted service port joins
 * that port's cluster, named after the service. Two noted service ports
 * (22 SSH, 23 Telnet) are different services, so they never join each other.
 * A chain near no service port is reported from three ports up.
 */
export function portClusters<T extends { port: number }>(
  ports: T[],
  distance: number,
  notes: Map<number, PortNote>,
): Array<{ ports: T[]; service: string | null }> {
  const serviceOf = (port: number) => notes.get(port)?.service;
  const sorted = [...ports].sort((a, b) => a.port - b.port);

  const chains: T[][] = [];
  for (const entry of sorted.filter((e) => serviceOf(e.port) === undefined)) {
    const last = chains.at(-1);
    if (last && entry.port - last.at(-1)!.port <= distance) last.push(entry);
    else chains.push([entry]);
  }

  const attached = new Set<T[]>();
  const clusters: Array<{ ports: T[]; service: string | null }> = [];
  for (const anchor of sorted.filter((e) => serviceOf(e.port) !== undefined)) {
    const near = chains.filter((chain) => !attached.has(chain) && chain.some((e) => Math.abs(e.port - anchor.port) <= distance));
    if (near.length === 0) continue;
    near.forEach((chain) => attached.add(chain));
    const members = [anchor, ...near.flat()].sort((a, b) => a.port - b.port);
    clusters.push({ ports: members, service: serviceOf(anchor.port)! });
  }
  for (const chain of chains.filter((c) => !attached.has(c) && c.length >= 3)) {
    clusters.push({ ports: chain, service: null });
  }
  return clusters.sort((a, b) => a.ports[0].port - b.ports[0].port);
}

function mean(values: number[]): number {
  return values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length;
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
