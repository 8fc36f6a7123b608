/**
 * The benchmark workload: N sessions over 8 weeks from the ten source
 * countries with the most address space, to 40 ports with a skewed (Zipf)
 * share per country, seen by K sensors. Built on the seeded generator.
 */
import type { Database } from '../src/db.js';
import { type PlanRow, generateArchive } from './generator.js';

const WEEKS = 8;

/** Monday of the workload's first week; the report week is the last of the eight. */
export const WORKLOAD_FIRST_WEEK = new Date('2025-01-06T00:00:00Z');
export const WORKLOAD_REPORT_WEEK = '2025-W09';

/** Distinct sources per planned sessions of one sensor, pair and week, before churn. */
const SOURCES_PER_SESSION = 0.01;

/** Addresses per (country, port) range: large enough that 100 million sessions still have a few distinct sources per hundred. */
const RANGE_SIZE = 16384;
const PORTS = [23, 22, 445, 80, 1433, 3389, 8080, 443, 3306, 5900, 6379, 5555, 7001, 9530, 21, 25, 53, 135, 139, 161,
  2323, 8443, 8888, 9200, 27017, 5432, 1883, 502, 11211, 37215, 52869, 60001, 81, 8000, 8081, 88, 110, 143, 993, 995];

/** Lists the ten countries with the most IPv4 ranges large enough for the generator. */
export async function workloadCountries(db: Database): Promise<string[]> {
  const rows = await db.query(
    `SELECT country FROM geo_ranges WHERE is_ipv4_key(start_key) AND end_key - start_key + 1 >= ${RANGE_SIZE}
     GROUP BY country HAVING count(*) >= ${PORTS.length * 7} ORDER BY count(*) DESC, country LIMIT 10`,
  );
  return rows.map((row) => String(row.country));
}

/**
 * Builds a plan of about `sessions` sessions. Country weights fall as 1/rank
 * and port weights as 1/rank^1.2 with a per-country rotation, so a few ports
 * take most sessions of each country and the long tail stays long.
 */
export function workloadPlan(sessions: number, sensors: number, countries: string[]): PlanRow[] {
  const countryWeights = countries.map((_, i) => 1 / (i + 1));
  const portWeights = PORTS.map((_, i) => 1 / (i + 1) ** 1.2);
  const countryTotal = countryWeights.reduce((a, b) => a + b, 0);
  const portTotal = portWeights.reduce((a, b) => a + b, 0);
  const cells = WEEKS * sensors;

  const plan: PlanRow[] = [];
  for (let week = 0; week < WEEKS; week++) {
    for (let sensor = 0; sensor < sensors; sensor++) {
      countries.forEach((country, c) => {
        PORTS.forEach((_, p) => {
          const port = PORTS[(p + c * 3) % PORTS.length];
          const count = Math.max(1, Math.round((sessions / cells) * (countryWeights[c] / countryTotal) * (portWeights[p] / portTotal)));
          const sources = Math.max(1, Math.min(RANGE_SIZE, Math.round(count * SOURCES_PER_SESSION)));
          plan.push({ week, country, port, sessions: count, sources: Math.min(sources, count), sensor: `sensor-${String(sensor + 1).padStart(2, '0')}`, proto: port === 53 || port === 161 ? 'udp' : 'tcp' });
        });
      });
    }
  }
  return plan;
}

/**
 * Writes the workload of about `sessions` sessions from `sensors` sensors,
 * as hive-partitioned parquet (a folder) or CSV (a .csv file). Sources churn
 * between sensors and weeks, so the archive contains a few distinct addresses
 * per hundred sessions, as honeypot archives do.
 */
export async function generateWorkload(db: Database, sessions: number, sensors: number, output: string, format: 'csv' | 'parquet'): Promise<number> {
  const plan = workloadPlan(sessions, sensors, await workloadCountries(db));
  return generateArchive(db, plan, { firstWeek: WORKLOAD_FIRST_WEEK, seed: 1, output, format, churn: true, rangeSize: RANGE_SIZE });
}
