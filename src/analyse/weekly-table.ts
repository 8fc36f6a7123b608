import type { Database } from '../db.js';
import type { IsoWeek } from '../week.js';

/**
 * The relations of the weekly table. Every later stage (rankings, history,
 * findings, networks) reads the week's numbers only from these temp tables,
 * so what fills them can change without touching those stages:
 *
 * - country_weeks (client, week, country, sessions, sources)
 * - port_weeks (client, week, country, port, sessions, sources, udp_sessions)
 * - network_weeks (client, week, country, port, asn, as_org, sessions, sources), report week only
 * - status_weeks (client, week, geo_status, sessions)
 * - scanner_weeks (client, week, scanner, sessions, sources)
 *
 * week is 'YYYY-Www'. sources counts distinct source addresses.
 */
export const WEEKLY_TABLE_RELATIONS = ['country_weeks', 'port_weeks', 'network_weeks', 'status_weeks', 'scanner_weeks'] as const;

/** A producer of the weekly table: it fills the relations for every client and week of the window. */
export interface WeeklyTable {
  fill(db: Database, request: { week: IsoWeek }): Promise<void>;
}

/**
 * Fills the weekly table from weekly_sources, the located sessions that
 * enrich.sql builds in the same DuckDB. Each relation is one plain aggregate
 * in queries/, the SQL a distributed engine would run over the lake instead
 * (docs/scaling.md).
 */
export const archiveWeeklyTable: WeeklyTable = {
  async fill(db, { week }) {
    for (const relation of WEEKLY_TABLE_RELATIONS) {
      await db.runScript(`${relation}.sql`, { week: week.id });
    }
  },
};
