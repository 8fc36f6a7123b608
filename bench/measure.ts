/**
 * The measured steps of the benchmark. Each runs in its own child process
 * (see run.ts), so the peak memory it reports is its own: the weekly run's
 * figure does not include the generator or the per-row lookups.
 */
import path from 'node:path';
import { Writable } from 'node:stream';
import maxmind from 'maxmind';
import { pino } from 'pino';
import { validateConfig } from '../src/config/load.js';
import { Database, sqlString } from '../src/db.js';
import { embeddedDatabasePath, openCountryDatabase } from '../src/enrich/geoip-database.js';
import { loadRangeTable } from '../src/enrich/range-cache.js';
import { type Logger, silentLogger } from '../src/log.js';
import { renderBriefHtml } from '../src/render/brief-html.js';
import { PdfPrinter } from '../src/render/pdf.js';
import { loadTemplates } from '../src/render/templates.js';
import { TEMPLATES_DIR } from '../src/paths.js';
import { runWeekly } from '../src/weekly.js';
import { WORKLOAD_REPORT_WEEK, generateWorkload } from './workload.js';

/** Sensors of the workload: one client owns them all, or each of 20 clients owns one. */
export const SENSORS = 20;

/** Milliseconds per stage of a weekly run, from its 'done' log lines, summed over clients. */
export type Stages = Record<string, number>;

export interface FullRun {
  clients: number;
  ms: number;
  stages: Stages;
  /** Milliseconds from the start of the run to the end of its 'analyse' stage: reading, locating, ranking, every brief's model. */
  dataStages: number;
  /** CPU milliseconds (user and system, DuckDB's threads included) over the same span. */
  dataCpu: number;
  peakRss: number;
  /** One brief rendered and printed by the run's browser once it is warm (1-client run only). */
  warmRender?: number;
}

export interface Floor {
  /** Milliseconds of the bare SQL that builds the weekly table, with each source's country. */
  ms: number;
  /** CPU milliseconds of the same, all threads. */
  cpu: number;
  /** Milliseconds of the scan and grouping alone, without the country: what reading the lake costs. */
  scanMs: number;
  peakRss: number;
}

export interface Enrichment {
  /** Milliseconds to locate every row as the weekly run does: range join on distinct addresses, hash join back. */
  rangeJoin: number;
  /** Milliseconds for the range join run on every row. */
  everyRow: number;
  /** Milliseconds of per-row maxmind lookups, lookups only. */
  perRow: number;
  rows: number;
}

export interface Generated {
  sessions: number;
  distinctSources: number;
  ms: number;
}

async function timed<T>(step: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await step();
  return [result, performance.now() - started];
}

function peakRss(): number {
  return process.resourceUsage().maxRSS * 1024;
}

/** Returns the glob of a workload folder's parquet files. */
function lakeFiles(work: string): string {
  return `${path.join(work, 'lake')}/*/*.parquet`;
}

/** Writes the workload of `sessions` sessions as parquet under `work`/lake and builds the range table cache under `work`/state. */
export async function generate(sessions: number, work: string): Promise<Generated> {
  const db = await Database.open();
  try {
    await loadRangeTable(db, await openCountryDatabase(undefined, 'bench'), path.join(work, 'state'), silentLogger());
    const [written, ms] = await timed(() => generateWorkload(db, sessions, SENSORS, path.join(work, 'lake'), 'parquet'));
    const [row] = await db.query(`SELECT count(DISTINCT src_ip)::BIGINT AS n FROM read_parquet(${sqlString(lakeFiles(work))})`);
    return { sessions: written, distinctSources: Number(row.n), ms };
  } finally {
    db.close();
  }
}

/**
 * Measures the floor: one bare DuckDB statement that builds the weekly
 * table from the parquet files and the range table's cache file. The table
 * contains sessions, distinct sources and the country's share per sensor,
 * ISO week, country and port. The statement does no parsing or accounting.
 * It groups by sensor where the run groups by client, because each of the
 * 20-client run's clients owns one sensor.
 *
 * The statement locates each distinct address once, as any well-written
 * query would, so the floor is the least work that gives the table. It
 * also times the scan and grouping alone, without the country.
 */
export async function measureFloor(work: string): Promise<Floor> {
  const lake = `read_parquet(${sqlString(lakeFiles(work))})`;
  const ranges = `read_parquet(${sqlString(path.join(work, 'state', 'geoip', '*.parquet'))})`;
  const weekly = `
    CREATE TEMP TABLE weekly AS
    WITH grouped AS (
        SELECT sensor, week_number(ts) AS week, dst_port, src_ip, count(*) AS sessions
        FROM ${lake} GROUP BY ALL
    ),
    addresses AS (SELECT src_ip, ip_key(src_ip) AS k FROM (SELECT DISTINCT src_ip FROM grouped)),
    located AS (
        SELECT a.src_ip, CASE WHEN r.end_key >= a.k THEN r.country END AS country
        FROM addresses AS a
        ASOF LEFT JOIN (SELECT key_from_halves(start_hi, start_lo) AS start_key, key_from_halves(end_hi, end_lo) AS end_key, country FROM ${ranges}) AS r
        ON a.k >= r.start_key
    )
    SELECT sensor, week, country, dst_port, sum(sessions)::BIGINT AS sessions, count(*)::BIGINT AS sources,
           sum(sessions) / sum(sum(sessions)) OVER (PARTITION BY sensor, week, country) AS share
    FROM grouped JOIN located USING (src_ip)
    GROUP BY sensor, week, country, dst_port`;
  const scan = `
    CREATE TEMP TABLE scanned AS
    SELECT sensor, week_number(ts) AS week, dst_port, count(*)::BIGINT AS sessions, count(DISTINCT src_ip)::BIGINT AS sources
    FROM ${lake} GROUP BY ALL`;

  const [, scanMs] = await inFreshDatabase((db) => timed(() => db.run(scan)));
  const { ms, cpu } = await inFreshDatabase(async (db) => {
    const before = cpuMs();
    const [, elapsed] = await timed(() => db.run(weekly));
    return { ms: elapsed, cpu: cpuMs() - before };
  });
  return { ms, cpu, scanMs, peakRss: peakRss() };
}

/** Runs `step` in a database of its own, opened before and closed after it, so that no table or cache of one statement serves another. */
async function inFreshDatabase<T>(step: (db: Database) => Promise<T>): Promise<T> {
  const db = await Database.open();
  try {
    return await step(db);
  } finally {
    db.close();
  }
}

/** CPU milliseconds this process has used, all threads. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/**
 * Creates a logger that keeps each 'done' line's stage time, and the wall and CPU
 * time at the end of the 'analyse' stage. pino writes each line to the sink
 * as it is logged, so the times are taken when the stage ends.
 */
function stageLogger(started: { wall: number; cpu: number }): { log: Logger; stages: Stages; analysed: { wall: number; cpu: number } } {
  const stages: Stages = {};
  const analysed = { wall: Number.NaN, cpu: Number.NaN };
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line.includes('"stage"')) continue;
        const entry = JSON.parse(line) as { stage: string; ms?: number };
        // Each stage logs a 'started' line without a time and a 'done' line with one.
        if (entry.ms === undefined) continue;
        stages[entry.stage] = (stages[entry.stage] ?? 0) + entry.ms;
        if (entry.stage === 'analyse') {
          analysed.wall = performance.now() - started.wall;
          analysed.cpu = cpuMs() - started.cpu;
        }
      }
      done();
    },
  });
  const log: Logger = pino({ level: 'info', base: undefined }, sink);
  return { log, stages, analysed };
}

/**
 * Runs the weekly job end to end on the workload, as cron would: it launches
 * its own browser, writes every brief and delivers to the outbox (dry run).
 */
export async function measureFull(work: string, clients: number): Promise<FullRun> {
  const sensors = Array.from({ length: SENSORS }, (_, i) => `sensor-${String(i + 1).padStart(2, '0')}`);
  const clientList =
    clients === 1
      ? [{ id: 'all', name: 'All sensors', sensors, recipients: { to: ['soc@client.example'] } }]
      : sensors.map((sensor, i) => ({ id: `client-${i + 1}`, name: `Client ${i + 1}`, sensors: [sensor], recipients: { to: [`soc@client${i + 1}.example`] } }));
  const config = validateConfig(
    {
      sources: [{ name: 'lake', format: 'parquet', path: lakeFiles(work), fields: { time: 'ts', srcIp: 'src_ip', dstPort: 'dst_port', proto: 'proto', sensor: 'sensor' } }],
      clients: clientList,
      mail: { host: '127.0.0.1', from: 'briefs@portbrief.example' },
      output: path.join(work, `reports-${clients}`),
      outbox: path.join(work, `outbox-${clients}`),
      state: path.join(work, 'state'),
    },
    path.join(work, 'portbrief.yaml'),
  );

  const { log, stages, analysed } = stageLogger({ wall: performance.now(), cpu: cpuMs() });
  const [result, ms] = await timed(() =>
    runWeekly({ config, week: WORKLOAD_REPORT_WEEK, now: new Date('2026-12-04T12:00:00Z'), log, dryRun: true }),
  );
  if (result.exitCode !== 0) throw new Error(`the ${clients}-client run exited ${result.exitCode}`);
  const run: FullRun = { clients, ms, stages, dataStages: analysed.wall, dataCpu: analysed.cpu, peakRss: peakRss() };

  if (clients === 1) run.warmRender = await measureWarmRender(result.clients[0].brief);
  return run;
}

/** Renders and prints one brief three times with one browser and times the last. */
async function measureWarmRender(brief: Parameters<typeof renderBriefHtml>[0]): Promise<number> {
  const printer = await PdfPrinter.launch();
  try {
    const templates = await loadTemplates(TEMPLATES_DIR);
    const render = async () => printer.print(await renderBriefHtml(brief, templates), { header: 'h', footer: 'f' });
    await render();
    await render();
    const [, ms] = await timed(render);
    return ms;
  } finally {
    await printer.close();
  }
}

/** Locates the workload's addresses by the range join and by maxmind per row, timing only the lookups. */
export async function measureEnrichment(work: string): Promise<Enrichment> {
  const db = await Database.open();
  try {
    await loadRangeTable(db, await openCountryDatabase(undefined, 'bench'), path.join(work, 'state'), silentLogger());
    // Keys are computed once per distinct address; only the lookups below are timed.
    await db.run(
      `CREATE TABLE addresses AS
       WITH rows AS (SELECT src_ip FROM read_parquet(${sqlString(lakeFiles(work))}))
       SELECT src_ip, k FROM rows JOIN (SELECT src_ip, ip_key(src_ip) AS k FROM (SELECT DISTINCT src_ip FROM rows)) USING (src_ip)`,
    );
    const rows = Number((await db.query('SELECT count(*)::BIGINT AS n FROM addresses'))[0].n);

    // As the weekly run locates: the range join on the distinct addresses, then a hash join back to every row.
    const [, rangeJoin] = await timed(() =>
      db.query(
        `WITH located AS (
           SELECT d.k, CASE WHEN g.end_key >= d.k THEN g.country END AS country
           FROM (SELECT DISTINCT k FROM addresses) AS d ASOF LEFT JOIN geo_ranges AS g ON d.k >= g.start_key
         )
         SELECT count(l.country)::BIGINT AS located FROM addresses AS a JOIN located AS l USING (k)`,
      ),
    );
    const [, everyRow] = await timed(() =>
      db.query(`SELECT count(g.country)::BIGINT AS located FROM addresses AS a ASOF LEFT JOIN geo_ranges AS g ON a.k >= g.start_key WHERE g.end_key >= a.k`),
    );

    const reader = await maxmind.open<Record<string, unknown>>(embeddedDatabasePath());
    const result = await db.connection.stream('SELECT src_ip FROM addresses');
    let perRow = 0;
    for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
      const values = chunk.getColumnValues(0) as string[];
      const started = performance.now();
      let located = 0;
      for (const value of values) if (reader.get(value)) located++;
      perRow += performance.now() - started;
      if (located < 0) throw new Error('unreachable');
    }
    return { rangeJoin, everyRow, perRow, rows };
  } finally {
    db.close();
  }
}

/** Times building the embedded database's range table from the .mmdb file, without a cache. */
export async function measureRangeBuild(work: string): Promise<number> {
  const db = await Database.open();
  try {
    const [, ms] = await timed(async () => loadRangeTable(db, await openCountryDatabase(undefined, 'bench'), path.join(work, 'fresh-state'), silentLogger()));
    return ms;
  } finally {
    db.close();
  }
}
