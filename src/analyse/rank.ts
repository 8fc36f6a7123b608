import { type Database, type Row, TextList, sqlString } from '../db.js';
import { stateDatabaseError, stateDatabaseFile, stateWriteError } from '../state-database.js';
import type { IsoWeek } from '../week.js';
import type { CountryWeekRow, PortWeekRow } from './findings.js';
import { type WeeklyTable, archiveWeeklyTable } from './weekly-table.js';
import { makeFolder } from '../make-folder.js';

export interface CountryRow {
  country: string;
  sessions: number;
  sources: number;
}

export interface TopPortRow {
  country: string;
  rank: number;
  port: number;
  sessions: number;
  sources: number;
  share: number;
  previous_rank: number | null;
  new_entrant: boolean;
  service: string;
  registry_status: 'assigned' | 'unassigned' | 'reserved';
}

/** One source network (autonomous system) behind a shown port. */
export interface TopNetworkRow {
  country: string;
  port: number;
  position: number;
  asn: number;
  organisation: string;
  sessions: number;
  sources: number;
  share: number;
}

export interface WeekRanking {
  countries: CountryRow[];
  ports: TopPortRow[];
  /** Empty when the run has no ASN database. */
  networks: TopNetworkRow[];
  comparisonAvailable: boolean;
  byStatus: Array<{ status: string; sessions: number }>;
  /** Countries with located sessions in the week, shown or not. */
  countryCount: number;
  /** Every window week of the shown countries' top-20 ports. */
  portWeeks: PortWeekRow[];
  countryWeeks: CountryWeekRow[];
  /** `country:port` pairs of top ports seen earlier in the archive; null when the archive has no earlier data for the client. */
  seenBefore: Set<string> | null;
  scanners: Array<{ name: string; sessions: number; sources: number }>;
  /** Each ISO week with accepted sessions of the client, with its first and last session (ISO 8601 UTC), oldest first. */
  weekSpans: Array<{ week: string; first: string; last: string }>;
  /** Each client sensor's first and last session and its session count in the previous and the report week, by sensor and week. */
  sensorSpans: Array<{ sensor: string; week: string; first: string; last: string; sessions: number }>;
}

export interface WeeklyTablesRequest {
  week: IsoWeek;
  /** The analysis window's weeks, oldest first; the last is the report week. */
  windowWeeks: string[];
  rankBy: 'sessions' | 'sources';
  stateDir: string;
  /** Recompute earlier weeks from the archive and store them, instead of using the stored ones. */
  rebuildHistory: boolean;
  /** Whether to store this week's rankings (false for previews). */
  storeHistory: boolean;
  now: Date;
  /** Fills the weekly table; by default from the located sessions of this run. */
  weeklyTable?: WeeklyTable;
}

/**
 * Builds the weekly tables of the window for every client at once, replaces
 * earlier weeks by the rankings stored when their briefs were made (unless
 * rebuilding), and stores this week's (or, when rebuilding, every window week's).
 */
export async function buildWeeklyTables(db: Database, request: WeeklyTablesRequest): Promise<void> {
  await (request.weeklyTable ?? archiveWeeklyTable).fill(db, { week: request.week });
  await db.runScript('weekly_ports.sql', { rank_by: request.rankBy });

  await makeFolder(request.stateDir);
  const stateFile = stateDatabaseFile(request.stateDir);
  try {
    await db.connection.run(`ATTACH IF NOT EXISTS ${sqlString(stateFile)} AS state`);
  } catch (error) {
    throw stateDatabaseError(stateFile, error);
  }
  // DuckDB may write the stored rankings only when it detaches the database,
  // so a full disk can fail either step, and the first failure is reported.
  let failure: unknown;
  try {
    await db.runScript('history_open.sql');
    if (!request.rebuildHistory) {
      await db.runScript('history_merge.sql', { week: request.week.id, weeks: new TextList(request.windowWeeks) });
    }
    if (request.storeHistory) {
      const stored = request.rebuildHistory ? request.windowWeeks : [request.week.id];
      await db.runScript('history_store.sql', { weeks: new TextList(stored), now: request.now.toISOString() });
    }
  } catch (error) {
    failure = error;
  }
  try {
    await db.run('DETACH state');
  } catch (error) {
    failure ??= error;
  }
  if (failure !== undefined) throw stateWriteError(stateFile, failure);
}

/** The result columns read from each ranking query; analysts may add columns but not rename these. */
export const RESULT_COLUMNS = {
  topPorts: ['client', 'country', 'rank', 'port', 'sessions', 'sources', 'share', 'previous_rank', 'new_entrant', 'service', 'registry_status'],
  topNetworks: ['client', 'country', 'port', 'position', 'asn', 'organisation', 'sessions', 'sources', 'share'],
  portHistory: ['client', 'country', 'port', 'week', 'rank', 'sessions', 'sources', 'udp_sessions', 'share'],
  countryHistory: ['client', 'country', 'week', 'sessions', 'sources'],
  firstSeen: ['client', 'country', 'port'],
} as const;

export interface RankRequest {
  week: IsoWeek;
  previous: IsoWeek;
  windowWeeks: string[];
  top: { countries: number; ports: number; networks: number };
  /** Whether sessions carry autonomous systems (an ASN database is configured). */
  withNetworks: boolean;
  /** The clients to rank, each with the countries to show even outside the top ones. */
  clients: Array<{ client: string; always: string[] }>;
}

/**
 * Ranks every client's week with one set of queries for all clients, so the
 * cost of ranking hardly grows with the number of clients. Returns each
 * client's top countries, their top ports and those ports' source networks,
 * their window history, and how the client's sources were located.
 */
export async function rankWeeks(db: Database, request: RankRequest): Promise<Map<string, WeekRanking>> {
  const { week, previous, top } = request;
  // One pass over the archive's sessions (sessions_all) finds each client's
  // first and last session of every week, and whether it has any before the report week.
  await db.runScript('week_coverage.sql', { from: week.start.toISOString() });
  // One statement for all clients: a statement per client adds a millisecond or two.
  await db.run(
    `CREATE OR REPLACE TEMP TABLE brief_clients AS
     SELECT client, always, coalesce(c.earlier, false) AS earlier
     FROM (SELECT unnest(json_transform($clients, '[{"client":"VARCHAR","always":["VARCHAR"]}]'), recursive := true))
     LEFT JOIN client_coverage AS c USING (client)`,
    { clients: JSON.stringify(request.clients) },
  );

  await db.runScript('top_countries.sql', { week: week.id, countries: top.countries });
  const countries = await db.query('SELECT client, country, sessions, sources FROM shown_countries ORDER BY client, position', undefined, 'top_countries.sql (its table shown_countries)');
  const ports = await db.queryFile('top_ports.sql', { week: week.id, previous: previous.id, ports: top.ports }, RESULT_COLUMNS.topPorts);
  const networks = request.withNetworks
    ? await db.queryFile('top_networks.sql', { week: week.id, ports: top.ports, networks: top.networks }, RESULT_COLUMNS.topNetworks)
    : [];
  const counts = await db.query(
    `SELECT b.client, count(*) FILTER (WHERE w.week = $previous)::INTEGER AS previous, count(*) FILTER (WHERE w.week = $week)::INTEGER AS current
     FROM brief_clients AS b LEFT JOIN country_weeks AS w USING (client) GROUP BY b.client`,
    { previous: previous.id, week: week.id },
  );
  const byStatus = await db.query(
    `SELECT client, geo_status AS status, sessions::INTEGER AS sessions FROM status_weeks
     WHERE week = $week ORDER BY client, sessions DESC, status`,
    { week: week.id },
  );
  const weeks = new TextList(request.windowWeeks);
  const portWeeks = await db.queryFile('port_history.sql', { week: week.id, weeks }, RESULT_COLUMNS.portHistory);
  const countryWeeks = await db.queryFile('country_history.sql', { weeks }, RESULT_COLUMNS.countryHistory);
  const firstSeen = await db.queryFile('first_seen.sql', { week: week.id, from: week.start.toISOString(), ports: top.ports }, RESULT_COLUMNS.firstSeen);
  const earlier = new Set((await db.query('SELECT client FROM brief_clients WHERE earlier')).map((row) => String(row.client)));
  const coverage = await db.query(
    'SELECT client, week_spans FROM client_coverage',
    undefined,
    'week_coverage.sql (its table client_coverage)',
  );
  await db.runScript('sensor_coverage.sql', { from: previous.start.toISOString(), to: week.end.toISOString() });
  const sensorSpans = await db.query('SELECT client, sensor, week, first, last, sessions FROM sensor_coverage ORDER BY client, sensor, week', undefined, 'sensor_coverage.sql (its table sensor_coverage)');
  const scanners = await db.query(
    `SELECT client, scanner AS name, sessions::INTEGER AS sessions, sources::INTEGER AS sources FROM scanner_weeks
     WHERE week = $week ORDER BY client, sessions DESC, name`,
    { week: week.id },
  );

  const grouped = {
    countries: byClient(countries),
    ports: byClient(ports),
    networks: byClient(networks),
    counts: byClient(counts),
    byStatus: byClient(byStatus),
    portWeeks: byClient(portWeeks),
    countryWeeks: byClient(countryWeeks),
    firstSeen: byClient(firstSeen),
    scanners: byClient(scanners),
    coverage: byClient(coverage),
    sensorSpans: byClient(sensorSpans),
  };
  const rows = (kind: keyof typeof grouped, client: string): Row[] => grouped[kind].get(client) ?? [];

  const rankings = new Map<string, WeekRanking>();
  for (const { client } of request.clients) {
    const clientCountries = withoutClient(rows('countries', client)) as unknown as CountryRow[];
    const count = rows('counts', client)[0];
    rankings.set(client, {
      countries: clientCountries,
      ports: withoutClient(rows('ports', client)) as unknown as TopPortRow[],
      networks: withoutClient(rows('networks', client)) as unknown as TopNetworkRow[],
      portWeeks: rows('portWeeks', client).map((row) => ({
        country: String(row.country),
        port: Number(row.port),
        week: String(row.week),
        rank: Number(row.rank),
        sessions: Number(row.sessions),
        sources: Number(row.sources),
        udpSessions: Number(row.udp_sessions),
        share: Number(row.share),
      })),
      countryWeeks: rows('countryWeeks', client).map((row) => ({
        country: String(row.country),
        week: String(row.week),
        sessions: Number(row.sessions),
        sources: Number(row.sources),
      })),
      // null means the archive has nothing earlier to compare with.
      seenBefore:
        earlier.has(client) && clientCountries.length > 0
          ? new Set(rows('firstSeen', client).map((row) => `${String(row.country)}:${Number(row.port)}`))
          : null,
      scanners: rows('scanners', client).map((row) => ({ name: String(row.name), sessions: Number(row.sessions), sources: Number(row.sources) })),
      comparisonAvailable: Number(count?.previous ?? 0) > 0,
      countryCount: Number(count?.current ?? 0),
      byStatus: rows('byStatus', client).map((row) => ({ status: String(row.status), sessions: Number(row.sessions) })),
      weekSpans: weekSpansOf(rows('coverage', client)[0]),
      sensorSpans: rows('sensorSpans', client).map((row) => ({
        sensor: String(row.sensor),
        week: String(row.week),
        first: String(row.first),
        last: String(row.last),
        sessions: Number(row.sessions),
      })),
    });
  }
  return rankings;
}

/** Reads a client_coverage row's week spans. A client without accepted sessions has no row, so it gets none. */
function weekSpansOf(row: Row | undefined): WeekRanking['weekSpans'] {
  const spans = (row?.week_spans ?? []) as Array<Record<string, unknown>>;
  return spans.map((span) => ({ week: String(span.week), first: String(span.first), last: String(span.last) }));
}

/** Groups rows by their client column, keeping their order. */
function byClient(rows: Row[]): Map<string, Row[]> {
  const groups = new Map<string, Row[]>();
  for (const row of rows) {
    const client = String(row.client);
    if (!groups.has(client)) groups.set(client, []);
    groups.get(client)!.push(row);
  }
  return groups;
}

/** Returns the rows without their client column. */
function withoutClient(rows: Row[]): Row[] {
  return rows.map(({ client: _, ...row }) => row);
}
