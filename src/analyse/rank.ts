import { listValue } from '@duckdb/node-api';
import type { Database } from '../db.js';
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

export interface WeekRanking {
  countries: CountryRow[];
  ports: TopPortRow[];
  comparisonAvailable: boolean;
  byStatus: Array<{ status: string; sessions: number }>;
  /** Countries with located sessions in the week, shown or not. */
  countryCount: number;
}

/**
 * Builds the weekly table over the enriched window (report week and the one
 * before) and reads back the week's top countries and their top ports.
 */
export async function rankWeek(db: Database, week: IsoWeek, previous: IsoWeek, top: { countries: number; ports: number }): Promise<WeekRanking> {
  await db.runFile('weekly_ports.sql');

  const countries = (await db.queryFile('top_countries.sql', { week: week.id, countries: top.countries })) as unknown as CountryRow[];
  const codes = countries.map((row) => row.country);
  const ports = codes.length === 0
    ? []
    : ((await db.query(await db.readQuery('top_ports.sql'), { week: week.id, previous: previous.id, ports: top.ports, countries: listValue(codes) }, 'top_ports.sql')) as unknown as TopPortRow[]);

  const counts = await db.query(
    `SELECT count(*) FILTER (WHERE week = $previous)::INTEGER AS previous, count(*) FILTER (WHERE week = $week)::INTEGER AS current FROM country_weeks`,
    { previous: previous.id, week: week.id },
  );
  const byStatus = await db.query(
    `SELECT geo_status AS status, count(*)::INTEGER AS sessions FROM sessions
     WHERE ts >= $from::TIMESTAMPTZ AND ts < $to::TIMESTAMPTZ GROUP BY ALL ORDER BY sessions DESC, status`,
    { from: week.start.toISOString(), to: week.end.toISOString() },
  );

  return {
    countries,
    ports,
    comparisonAvailable: Number(counts[0].previous) > 0,
    countryCount: Number(counts[0].current),
    byStatus: byStatus.map((row) => ({ status: String(row.status), sessions: Number(row.sessions) })),
  };
}
