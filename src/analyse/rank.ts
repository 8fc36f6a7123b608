import { type Database, TextList, sqlString } from '../db.js';
import { stateDatabaseError, stateDatabaseFile } from '../state-database.js';
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
  try {
    await db.runScript('history_open.sql');
    if (!request.rebuildHistory) {
      await db.runScript('history_merge.sql', { week: request.week.id, weeks: new TextList(request.windowWeeks) });
    }
    if (request.storeHistory) {
      const stored = request.rebuildHistory ? request.windowWeeks : [request.week.id];
      await db.runScript('history_store.sql', { weeks: new TextList(stored), now: request.now.toISOString() });
    }
  } finally {
    await db.run('DETACH state');
  }
}

export interface RankRequest {
  client: string;
  week: IsoWeek;
  previous: IsoWeek;
  windowWeeks: string[];
  top: { countries: number; ports: number; networks: number };
  /** Whether sessions carry autonomous systems (an ASN database is configured). */
  withNetworks: boolean;
  /** Countries to show even outside the top ones. */
  always: string[];
  /** Whether the archive has accepted sessions of the client before the week (see clientsWithEarlierData). */
  hasEarlierData: boolean;
}

/** Lists the clients with accepted sessions before the week, in one pass over the archive for all clients. */
export async function clientsWithEarlierData(db: Database, week: IsoWeek): Promise<Set<string>> {
  const rows = await db.query(
    `SELECT DISTINCT c.client FROM sessions_all AS s JOIN sensor_clients AS c ON c.source = s.source AND c.sensor = s.sensor
     WHERE s.reject_reason IS NULL AND s.ts < $from::TIMESTAMPTZ`,
    { from: week.start.toISOString() },
  );
  return new Set(rows.map((row) => String(row.client)));
}

/** Reads back one client's top countries for the week, their top ports and those ports' source networks, and how its sources were located. */
export async function rankWeek(db: Database, request: RankRequest): Promise<WeekRanking> {
  const { client, week, previous, top } = request;
  const countries = (await db.queryFile('top_countries.sql', {
    client,
    week: week.id,
    countries: top.countries,
    always: new TextList(request.always),
  })) as unknown as CountryRow[];

  const codes = countries.map((row) => row.country);
  const ports =
    codes.length === 0
      ? []
      : ((await db.queryFile('top_ports.sql', {
          client,
          week: week.id,
          previous: previous.id,
          ports: top.ports,
          countries: new TextList(codes),
        })) as unknown as TopPortRow[]);

  const networks =
    codes.length === 0 || !request.withNetworks
      ? []
      : ((await db.queryFile('top_networks.sql', {
          client,
          week: week.id,
          ports: top.ports,
          countries: new TextList(codes),
          networks: top.networks,
        })) as unknown as TopNetworkRow[]);

  const counts = await db.query(
    `SELECT count(*) FILTER (WHERE week = $previous)::INTEGER AS previous, count(*) FILTER (WHERE week = $week)::INTEGER AS current
     FROM country_weeks WHERE client = $client`,
    { client, previous: previous.id, week: week.id },
  );
  const byStatus = await db.query(
    `SELECT geo_status AS status, sessions::INTEGER AS sessions FROM status_weeks
     WHERE client = $client AND week = $week
     ORDER BY sessions DESC, status`,
    { client, week: week.id },
  );

  const shownCountries = new TextList(codes);
  const weeks = new TextList(request.windowWeeks);
  const portWeeks = (await db.queryFile('port_history.sql', { client, week: week.id, weeks, countries: shownCountries })).map((row) => ({
    country: String(row.country),
    port: Number(row.port),
    week: String(row.week),
    rank: Number(row.rank),
    sessions: Number(row.sessions),
    sources: Number(row.sources),
    udpSessions: Number(row.udp_sessions),
    share: Number(row.share),
  }));
  const countryWeeks = (await db.queryFile('country_history.sql', { client, weeks, countries: shownCountries })).map((row) => ({
    country: String(row.country),
    week: String(row.week),
    sessions: Number(row.sessions),
    sources: Number(row.sources),
  }));

  let seenBefore: Set<string> | null = null;
  if (request.hasEarlierData && codes.length > 0) {
    const rows = await db.queryFile('first_seen.sql', { client, week: week.id, from: week.start.toISOString(), ports: top.ports, countries: shownCountries });
    seenBefore = new Set(rows.map((row) => `${String(row.country)}:${Number(row.port)}`));
  }

  const scanners = await db.query(
    `SELECT scanner AS name, sessions::INTEGER AS sessions, sources::INTEGER AS sources FROM scanner_weeks
     WHERE client = $client AND week = $week
     ORDER BY sessions DESC, name`,
    { client, week: week.id },
  );

  return {
    countries,
    ports,
    portWeeks,
    countryWeeks,
    seenBefore,
    scanners: scanners.map((row) => ({ name: String(row.name), sessions: Number(row.sessions), sources: Number(row.sources) })),
    networks,
    comparisonAvailable: Number(counts[0].previous) > 0,
    countryCount: Number(counts[0].current),
    byStatus: byStatus.map((row) => ({ status: String(row.status), sessions: Number(row.sessions) })),
  };
}
