import path from 'node:path';
import { importToLake } from '../src/archive/lake.js';
import { loadArchive } from '../src/archive/load.js';
import { validateConfig } from '../src/config/load.js';
import { Database, sqlString } from '../src/db.js';
import { openCountryDatabase } from '../src/enrich/geoip-database.js';
import { loadRangeTable } from '../src/enrich/range-cache.js';
import { silentLogger } from '../src/log.js';
import { generateWorkload } from './workload.js';

export interface ReadingResult {
  sessions: number;
  /** Time through the archive stage (read, parse, account) for each format, row by row and grouped as the weekly run reads. */
  rates: Array<{ format: string; rows: number; ms: number; groupedMs: number }>;
}

const FIELDS = { time: 'ts', srcIp: 'src_ip', dstPort: 'dst_port', proto: 'proto', sensor: 'sensor' };

/**
 * Measures the archive stage alone on the same sessions written as CSV,
 * gzip CSV, NDJSON and the lake's parquet (made by portbrief import).
 */
export async function measureReading(sessions: number, work: string): Promise<ReadingResult> {
  const db = await Database.open();
  try {
    await loadRangeTable(db, await openCountryDatabase(undefined, 'bench'), path.join(work, 'state'), silentLogger());
    const csv = path.join(work, 'sessions.csv');
    await generateWorkload(db, sessions, 20, csv, 'csv');
    await db.run(`COPY (SELECT * FROM read_csv(${sqlString(csv)}, all_varchar = true)) TO ${sqlString(`${csv}.gz`)} (FORMAT csv, HEADER, COMPRESSION gzip)`);
    await db.run(`COPY (SELECT * FROM read_csv(${sqlString(csv)}, all_varchar = true)) TO ${sqlString(path.join(work, 'sessions.ndjson'))} (FORMAT json)`);
  } finally {
    db.close();
  }

  const config = (source: Record<string, unknown>) =>
    validateConfig({ sources: [{ name: 'bench', ...source }], lake: path.join(work, 'lake'), state: path.join(work, 'state') }, path.join(work, 'portbrief.yaml'));
  const cases: Array<[string, ReturnType<typeof config>]> = [
    ['CSV', config({ format: 'csv', path: 'sessions.csv', fields: FIELDS })],
    ['gzip CSV', config({ format: 'csv', path: 'sessions.csv.gz', fields: FIELDS })],
    ['NDJSON', config({ format: 'json', path: 'sessions.ndjson', fields: FIELDS })],
  ];
  await importToLake(cases[0][1], { now: new Date('2026-12-04T12:00:00Z'), log: silentLogger() });
  cases.push(['lake parquet', config({ format: 'lake', path: undefined })]);

  const rates: ReadingResult['rates'] = [];
  for (const [format, cfg] of cases) {
    const times: number[] = [];
    let rows = 0;
    for (const grouped of [false, true]) {
      const run = await Database.open();
      try {
        const started = performance.now();
        const load = await loadArchive(run, cfg, new Date('2026-12-04T12:00:00Z'), silentLogger(), { grouped });
        times.push(performance.now() - started);
        rows = load.totals.rowsRead;
      } finally {
        run.close();
      }
    }
    rates.push({ format, rows, ms: times[0], groupedMs: times[1] });
  }
  return { sessions, rates };
}
