import { type FileQuality, sumTotals } from '../archive/load.js';
import type { Brief, CountrySection, SensorGap, WeekSpan } from '../brief.js';
import type { Client, Config } from '../config/load.js';
import type { DatabaseInfo } from '../enrich/database-info.js';
import { geoStatusLabel } from '../enrich/geo-status.js';
import { countryName } from '../render/helpers.js';
import { type IsoWeek, parseIsoWeek } from '../week.js';
import { type AnalysisSettings, baselineWeeksOf, portClusters, portInsights } from './findings.js';
import { MAX_MOVERS, MOVER_MIN_PLACES, keyFindings } from './key-findings.js';
import type { PortNote } from './port-notes.js';
import { REGISTRY_NAME } from './port-registry.js';
import type { WeekRanking } from './rank.js';

export interface BriefInputs {
  config: Pick<Config, 'brief' | 'top'>;
  client: Client;
  /** The client's own data-quality accounting. */
  files: FileQuality[];
  week: IsoWeek;
  previous: IsoWeek;
  generatedAt: Date;
  /** The country database, then the ASN database when one is configured. */
  databases: DatabaseInfo[];
  databaseWarnings: string[];
  registryUpdated: string | null;
  ranking: WeekRanking;
  notes: Map<number, PortNote>;
  settings: AnalysisSettings;
  rankBy: 'sessions' | 'sources';
}

/** A day: sessions that start later than this after a week's start, or end earlier than this before its end, leave the week partly covered. */
// NOTE: an archive with only a few sessions a week can look partly covered although its sensors ran, so its weeks may never form a baseline.
const COVERAGE_SLACK_MS = 86_400_000;

/** Tells whether a week's sessions start more than a day after its start, and whether they end more than a day before its end. */
function uncoveredEdges(span: { first: string; last: string }, week: IsoWeek): { startedLate: boolean; stoppedEarly: boolean } {
  return {
    startedLate: Date.parse(span.first) - week.start.getTime() > COVERAGE_SLACK_MS,
    stoppedEarly: week.end.getTime() - Date.parse(span.last) > COVERAGE_SLACK_MS,
  };
}

/** Tells whether a week's sessions start or end more than a day inside it. */
function coversPart(span: { first: string; last: string }, week: IsoWeek): boolean {
  const { startedLate, stoppedEarly } = uncoveredEdges(span, week);
  return startedLate || stoppedEarly;
}

/** Describes a week's first and last session from the client's week spans, or returns null when the week has none. */
function weekSpan(spans: WeekRanking['weekSpans'], week: IsoWeek): WeekSpan | null {
  const span = spans.find((candidate) => candidate.week === week.id);
  return span === undefined ? null : { first: span.first, last: span.last, partial: coversPart(span, week) };
}

/**
 * Finds the client's sensors that ran in the previous week and then fell
 * silent or covered only part of the report week. A week the client's
 * sensors together did not cover already has its own warning, so it is skipped.
 */
function sensorGaps(ranking: WeekRanking, week: IsoWeek, previous: IsoWeek): SensorGap[] {
  const covered = weekSpan(ranking.weekSpans, week);
  if (covered === null || covered.partial) return [];

  const gaps: SensorGap[] = [];
  const sensors = [...new Set(ranking.sensorSpans.map((span) => span.sensor))].sort();
  const previousSessions = ranking.sensorSpans.filter((span) => span.week === previous.id).reduce((sum, span) => sum + span.sessions, 0);
  for (const sensor of sensors) {
    const current = ranking.sensorSpans.find((span) => span.sensor === sensor && span.week === week.id);
    const before = ranking.sensorSpans.find((span) => span.sensor === sensor && span.week === previous.id);
    // A sensor new in the report week is no gap.
    if (before === undefined) continue;

    const previousShare = before.sessions / previousSessions;
    if (current === undefined) {
      gaps.push({ sensor, kind: 'silent', first: null, last: before.last, previousShare });
      continue;
    }
    const { startedLate, stoppedEarly } = uncoveredEdges(current, week);
    if (!startedLate && !stoppedEarly) continue;

    let kind: SensorGap['kind'] = stoppedEarly ? 'stopped' : 'started';
    if (startedLate && stoppedEarly) kind = 'partial';
    gaps.push({ sensor, kind, first: current.first, last: current.last, previousShare });
  }
  return gaps;
}

/** Assembles the brief model from the stage results. Pure: no I/O, so tests can build one from fixed inputs. */
export function buildBrief(inputs: BriefInputs): Brief {
  const { week, ranking, files } = inputs;
  // A week the sensors covered only in part would pull a baseline's means down, and make ordinary weeks look like surges.
  const partialWeeks = new Set(ranking.weekSpans.filter((span) => coversPart(span, parseIsoWeek(span.week))).map((span) => span.week));
  const located = ranking.byStatus.find((row) => row.status === 'country')?.sessions ?? 0;
  const weekSessions = ranking.byStatus.reduce((sum, row) => sum + row.sessions, 0);
  const withNetworks = inputs.databases.some((database) => database.role === 'asn');

  const { settings, notes } = inputs;
  const report = week.id;
  const countries: CountrySection[] = ranking.countries.map((row, index) => {
    const topPorts = ranking.ports.filter((port) => port.country === row.country);
    const input = {
      country: row.country,
      name: countryName(row.country),
      index,
      topPorts: topPorts.map((port) => ({
        rank: port.rank,
        port: port.port,
        service: port.service,
        sessions: port.sessions,
        sources: port.sources,
        share: port.share,
        previousRank: port.previous_rank,
        newEntrant: port.new_entrant,
      })),
    };
    const insights = portInsights(input, ranking.portWeeks, ranking.countryWeeks, ranking.seenBefore, settings, partialWeeks);
    const thisWeek = ranking.portWeeks.filter((w) => w.country === row.country && w.week === report);
    const clusters = portClusters(thisWeek, settings.clusterDistance, notes).map((cluster) => ({
      service: cluster.service,
      ports: cluster.ports.map((entry) => {
        const full = thisWeek.find((w) => w.port === entry.port)!;
        return { port: full.port, rank: full.rank, sessions: full.sessions, sources: full.sources };
      }),
    }));
    const baselineWeeks = baselineWeeksOf(row.country, ranking.countryWeeks, settings, partialWeeks);

    return {
      country: row.country,
      name: input.name,
      sessions: row.sessions,
      sources: row.sources,
      share: located === 0 ? 0 : row.sessions / located,
      baselineEstablished: baselineWeeks.length >= settings.baselineWeeks,
      baselineWeeks,
      clusters,
      topPorts: topPorts.map((port) => {
        const note = notes.get(port.port);
        return {
          rank: port.rank,
          port: port.port,
          service: port.service,
          registryStatus: port.registry_status,
          sessions: port.sessions,
          sources: port.sources,
          share: port.share,
          previousRank: port.previous_rank,
          newEntrant: port.new_entrant,
          note: note ? { text: note.note ?? null, tags: note.tags, references: note.references } : null,
          insight: insights.get(port.port)!,
          networks: ranking.networks
            .filter((network) => network.country === row.country && network.port === port.port)
            .map((network) => ({
              asn: network.asn,
              organisation: network.organisation,
              sessions: network.sessions,
              sources: network.sources,
              share: network.share,
            })),
        };
      }),
    };
  });

  const findings = keyFindings(
    countries.map((section, index) => ({
      country: section.country,
      name: section.name,
      index,
      topPorts: section.topPorts,
      insights: new Map(section.topPorts.map((port) => [port.port, port.insight])),
      clusters: section.clusters,
    })),
    notes,
    settings,
  );

  const newEntrants = countries.flatMap((section) =>
    section.topPorts
      .filter((port) => port.newEntrant)
      .map((port) => ({ country: section.country, name: section.name, port: port.port, service: port.service, rank: port.rank, sources: port.sources })),
  );

  const reasons = new Map<string, number>();
  const skipped = new Map<string, number>();
  for (const file of files) {
    for (const [reason, rows] of Object.entries(file.reasons)) reasons.set(reason, (reasons.get(reason) ?? 0) + rows);
    for (const [kind, records] of Object.entries(file.skipped)) skipped.set(kind, (skipped.get(kind) ?? 0) + records);
  }

  return {
    client: { id: inputs.client.id, name: inputs.client.name },
    title: inputs.config.brief.title,
    organisation: inputs.config.brief.organisation ?? null,
    tlp: inputs.client.tlp,
    week: week.id,
    weekStart: isoDate(week.start),
    weekEnd: isoDate(new Date(week.end.getTime() - 86_400_000)),
    previousWeek: inputs.previous.id,
    comparisonAvailable: ranking.comparisonAvailable,
    generatedAt: inputs.generatedAt.toISOString(),
    databases: inputs.databases,
    databaseWarnings: inputs.databaseWarnings,
    registry: { name: REGISTRY_NAME, updated: inputs.registryUpdated },
    totals: sumTotals(files),
    files: files.map(({ path: _path, ...file }) => file),
    rejectReasons: [...reasons.entries()]
      .map(([reason, rows]) => ({ reason, rows }))
      .sort((a, b) => b.rows - a.rows || a.reason.localeCompare(b.reason)),
    skippedRecords: [...skipped.entries()]
      .map(([kind, records]) => ({ kind, records }))
      .sort((a, b) => b.records - a.records || a.kind.localeCompare(b.kind)),
    damagedFiles: files.filter((file) => file.damage !== null).map((file) => ({ file: file.file, damage: file.damage! })),
    weekTotals: {
      sessions: weekSessions,
      located,
      countries: ranking.countryCount,
      byStatus: ranking.byStatus.map((row) => ({
        status: row.status,
        label: geoStatusLabel(row.status),
        sessions: row.sessions,
        share: weekSessions === 0 ? 0 : row.sessions / weekSessions,
      })),
    },
    portsShown: inputs.config.top.ports,
    networksShown: withNetworks ? inputs.config.top.networks : 0,
    countries,
    quietCountries: inputs.client.countries
      .filter((code) => !ranking.countries.some((row) => row.country === code))
      .map((code) => ({ country: code, name: countryName(code) })),
    newEntrants,
    findings,
    method: {
      rankBy: inputs.rankBy,
      minSources: settings.minSources,
      excludeUdpFromFindings: settings.excludeUdpFromFindings,
      baselineWeeks: settings.baselineWeeks,
      trendWeeks: settings.trendWeeks,
      surgeThreshold: settings.surgeThreshold,
      clusterDistance: settings.clusterDistance,
      moverMinPlaces: MOVER_MIN_PLACES,
      maxMovers: MAX_MOVERS,
    },
    scanners: ranking.scanners,
    weeklySessions: ranking.countryWeeks
      .filter((row) => settings.weeks.slice(-settings.trendWeeks).includes(row.week))
      .map((row) => ({ week: row.week, country: countryName(row.country), sessions: row.sessions })),
    archiveWeeks: ranking.weekSpans.map((span) => span.week),
    coverage: {
      archiveStart: ranking.weekSpans[0]?.first ?? null,
      archiveEnd: ranking.weekSpans.at(-1)?.last ?? null,
      week: weekSpan(ranking.weekSpans, week),
      previous: weekSpan(ranking.weekSpans, inputs.previous),
      sensorGaps: sensorGaps(ranking, week, inputs.previous),
    },
  };
}

function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}
