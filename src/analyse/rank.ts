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

  const comparison = await db.query(`SELECT count(*)::INTEGER AS n FROM country_weeks WHERE week = $previous`, { previous: previous.id });
  const byStatus = await db.query(
    `SELECT geo_status AS status, count(*)::INTEGER AS sessions FROM sessions
     WHERE ts >= $from::TIMESTAMPTZ AND ts < $to::TIMESTAMPTZ GROUP BY ALL ORDER BY sessions DESC, status`,
    { from: week.start.toISOString(), to: week.end.toISOString() },
  );

  return {
    countries,
    ports,
    comparisonAvailable: Number(comparison[0].n) > 0,
    byStatus: byStatus.map((row) => ({ status: String(row.status), sessions: Number(row.sessions) })),
  };
}
