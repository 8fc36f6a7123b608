/**
 * A seeded generator of synthetic session archives whose source addresses
 * are drawn from real GeoIP ranges, so the weekly pipeline locates them in
 * the countries of the plan. Sessions are expanded inside DuckDB from a
 * plan of (week, country, port, sessions, sources) rows, so the same code
 * writes a few thousand rows for scenario tests and tens of millions for
 * benchmarks. Output is deterministic for a given plan and seed. Parquet
 * output keeps times as timestamps, as a sensor's parquet export does; CSV
 * writes them as UTC text.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Database } from '../src/db.js';
import { isoWeekOf } from '../src/week.js';
import { sqlString } from '../src/db.js';

/** Sessions of one country to one port in one week, from `sources` distinct addresses. */
export interface PlanRow {
  /** Index of the week in the scenario, 0 for the first. */
  week: number;
  country: string;
  port: number;
  sessions: number;
  /** Distinct source addresses, at most 1,024 per (country, port). */
  sources: number;
  proto?: 'tcp' | 'udp';
  sensor?: string;
}

export interface GenerateOptions {
  /** Monday of week 0, UTC. */
  firstWeek: Date;
  seed: number;
  /** A CSV (.csv or .csv.gz) file, or a folder for hive-partitioned parquet (week=YYYY-Www/). */
  output: string;
  format: 'csv' | 'parquet';
  /**
   * Shifts each plan row's addresses within its pair's range by a hash of
   * its sensor and week, so sensors and weeks see partly different sources,
   * as scanners come and go. Distinct counts then hold per plan row only.
   */
  churn?: boolean;
  /** Addresses per (country, port) range, and so the most distinct sources of one plan row; MAX_SOURCES_PER_PORT by default. */
  rangeSize?: number;
}

/** Default range size: each (country, port) pair gets its own /22 or larger range, so up to this many distinct sources. */
export const MAX_SOURCES_PER_PORT = 1024;

/**
 * Writes the plan's sessions. Needs the table geo_ranges (from
 * loadRangeTable) of a database that has the plan's countries. Every
 * (country, port) pair draws its addresses from its own IPv4 range of that
 * country, so distinct-source counts come out exactly as planned.
 */
export async function generateArchive(db: Database, plan: PlanRow[], options: GenerateOptions): Promise<number> {
  const rangeSize = options.rangeSize ?? MAX_SOURCES_PER_PORT;
  await db.run('CREATE OR REPLACE TABLE synthetic_plan (week INTEGER, country VARCHAR, port INTEGER, sessions INTEGER, sources INTEGER, proto VARCHAR, sensor VARCHAR)');
  const appender = await db.connection.createAppender('synthetic_plan');
  for (const row of plan) {
    if (row.sources > rangeSize || row.sources < 1 || row.sessions < row.sources) {
      appender.closeSync();
      throw new Error(`plan row ${JSON.stringify(row)}: sources must be 1 to ${rangeSize} and at most the sessions`);
    }
    appender.appendInteger(row.week);
    appender.appendVarchar(row.country);
    appender.appendInteger(row.port);
    appender.appendInteger(row.sessions);
    appender.appendInteger(row.sources);
    appender.appendVarchar(row.proto ?? 'tcp');
    appender.appendVarchar(row.sensor ?? 'sensor-1');
    appender.endRow();
  }
  appender.closeSync();

  // Each (country, port) pair gets its own IPv4 range of the country, picked
  // by the pair's rank among ranges of at least rangeSize addresses.
  await db.run(`
    CREATE OR REPLACE TABLE synthetic_pairs AS
    WITH pairs AS (
        SELECT DISTINCT country, port FROM synthetic_plan
    ),
    ranked_pairs AS (
        SELECT country, port, row_number() OVER (PARTITION BY country ORDER BY port) - 1 AS n FROM pairs
    ),
    ranges AS (
        SELECT country, start_key, row_number() OVER (PARTITION BY country ORDER BY start_key) - 1 AS n
        FROM geo_ranges
        WHERE is_ipv4_key(start_key) AND end_key - start_key + 1 >= ${rangeSize}
    )
    SELECT p.country, p.port, r.start_key
    FROM ranked_pairs AS p
    JOIN ranges AS r ON r.country = p.country AND r.n = p.n * 7 % (SELECT count(*) FROM ranges AS c WHERE c.country = p.country)`);

  const missing = await db.query(`SELECT DISTINCT country FROM synthetic_plan WHERE (country, port) NOT IN (SELECT (country, port) FROM synthetic_pairs)`);
  if (missing.length > 0) {
    throw new Error(`the GeoIP database has no IPv4 range of ${rangeSize} addresses for ${missing.map((row) => row.country).join(', ')}`);
  }

  // Each address is written as text once, not once per session.
  const used = `(i % p.sources + CASE WHEN $churn THEN hash(p.sensor, p.week) % ${rangeSize} ELSE 0 END) % ${rangeSize}`;
  await db.run(`
    CREATE OR REPLACE TABLE synthetic_addresses AS
    SELECT a.country, a.port, o AS address_offset, ip_text(a.start_key + o::UHUGEINT) AS src_ip
    FROM synthetic_pairs AS a
    CROSS JOIN range(${rangeSize}) AS t(o)
    WHERE o < (SELECT max(sources) FROM synthetic_plan) OR $churn`, { churn: options.churn === true });

  const sessions = (week: number | undefined) => `
    SELECT
        $first::TIMESTAMPTZ + to_weeks(p.week) + to_seconds((hash($seed, p.week, p.country, p.port, i) % 604800)::BIGINT) AS ts,
        ad.src_ip,
        p.port AS dst_port,
        p.proto AS proto,
        p.sensor AS sensor
    FROM synthetic_plan AS p
    CROSS JOIN LATERAL range(p.sessions) AS t(i)
    JOIN synthetic_addresses AS ad ON ad.country = p.country AND ad.port = p.port AND ad.address_offset = ${used}
    ${week === undefined ? '' : `WHERE p.week = ${week}`}
    ORDER BY ts, src_ip, dst_port`;
  const params = { first: options.firstWeek.toISOString(), seed: options.seed, churn: options.churn === true };

  if (options.format === 'csv') {
    const copy = `COPY (SELECT strftime(ts AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M:%S') AS ts, * EXCLUDE (ts) FROM (${sessions(undefined)})) TO ${sqlString(options.output)} (FORMAT csv, HEADER)`;
    await db.run(copy, params, 'the synthetic archive');
  } else {
    // One file per week, each sorted on its own, keeps the sort within memory for 100 million sessions.
    const weeks = await db.query('SELECT DISTINCT week FROM synthetic_plan ORDER BY week');
    for (const { week } of weeks) {
      const monday = new Date(options.firstWeek.getTime() + Number(week) * 7 * 86_400_000);
      const folder = path.join(options.output, `week=${isoWeekOf(monday).id}`);
      await mkdir(folder, { recursive: true });
      await db.run(`COPY (${sessions(Number(week))}) TO ${sqlString(path.join(folder, 'data_0.parquet'))} (FORMAT parquet)`, params, 'the synthetic archive');
    }
  }

  const total = await db.query('SELECT sum(sessions)::BIGINT AS n FROM synthetic_plan');
  return Number(total[0].n);
}
