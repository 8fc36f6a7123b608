import { type Database, TextList } from '../db.js';
import type { IsoWeek } from '../week.js';

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
}

/** Builds the weekly tables over the enriched window (report week and the one before) for every client at once. */
export async function buildWeeklyTables(db: Database): Promise<void> {
  await db.runFile('weekly_ports.sql');
}

export interface RankRequest {
  client: string;
  week: IsoWeek;
  previous: IsoWeek;
  top: { countries: number; ports: number; networks: number };
  /** Whether sessions carry autonomous systems (an ASN database is configured). */
  withNetworks: boolean;
  /** Countries to show even outside the top ones. */
  always: string[];
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
    `SELECT geo_status AS status, count(*)::INTEGER AS sessions FROM sessions
     WHERE client = $client AND ts >= $from::TIMESTAMPTZ AND ts < $to::TIMESTAMPTZ
     GROUP BY ALL ORDER BY sessions DESC, status`,
    { client, from: week.start.toISOString(), to: week.end.toISOString() },
  );

  return {
    countries,
    ports,
    networks,
    comparisonAvailable: Number(counts[0].previous) > 0,
    countryCount: Number(counts[0].current),
    byStatus: byStatus.map((row) => ({ status: String(row.status), sessions: Number(row.sessions) })),
  };
}
