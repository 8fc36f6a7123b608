import path from 'node:path';
import maxmind from 'maxmind';
import { validateConfig } from '../src/config/load.js';
import { Database, sqlString } from '../src/db.js';
import { embeddedDatabasePath, openCountryDatabase } from '../src/enrich/geoip-database.js';
import { loadRangeTable } from '../src/enrich/range-cache.js';
import { silentLogger } from '../src/log.js';
import { renderBriefHtml } from '../src/render/brief-html.js';
import { PdfPrinter } from '../src/render/pdf.js';
import { loadTemplates } from '../src/render/templates.js';
import { TEMPLATES_DIR } from '../src/paths.js';
import { runWeekly } from '../src/weekly.js';
import { WORKLOAD_REPORT_WEEK, generateWorkload } from './workload.js';

export interface SizeResult {
  sessions: number;
  /** Milliseconds, as every duration here. */
  generate: number;
  floor: number;
  full1: number;
  full20: number;
  /** Render and print time of the 1-client run's brief. */
  renderAll1: number;
  rangeJoin: number;
  perRow: number;
  rangeJoinRows: number;
  warmRender: number;
  peakRss: number;
}

const SENSORS = 20;

async function timed<T>(step: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await step();
  return [result, performance.now() - started];
}

/** Measures one archive size in a scratch folder. */
export async function measureSize(sessions: number, work: string): Promise<SizeResult> {
  const lake = path.join(work, 'lake');
  const state = path.join(work, 'state');

  const db = await Database.open();
  let generate: number;
  try {
    await loadRangeTable(db, await openCountryDatabase(undefined, 'bench'), state, silentLogger());
    [, generate] = await timed(() => generateWorkload(db, sessions, SENSORS, lake, 'parquet'));
  } finally {
    db.close();
  }
  const files = `${lake}/*/*.parquet`;

  const floor = await measureFloor(files);
  const printer = await PdfPrinter.launch();
  try {
    const [one, full1] = await timed(() => fullRun(files, work, state, 1, printer));
    const [, full20] = await timed(() => fullRun(files, work, state, SENSORS, printer));
    const brief = one.clients[0].brief;

    const templates = await loadTemplates(TEMPLATES_DIR);
    const render = async () => printer.print(await renderBriefHtml(brief, templates), { header: 'h', footer: 'f' });
    const [, renderAll1] = await timed(render);
    await render();
    const [, warmRender] = await timed(render);

    const { rangeJoin, perRow, rows } = await measureEnrichment(files, state);
    return { sessions, generate, floor, full1, full20, renderAll1, rangeJoin, perRow, rangeJoinRows: rows, warmRender, peakRss: process.resourceUsage().maxRSS * 1024 };
  } finally {
    await printer.close();
  }
}

/** Measures the floor: DuckDB's weekly aggregate over the raw files, with no parsing, accounting or enrichment. */
async function measureFloor(files: string): Promise<number> {
  const db = await Database.open();
  try {
    const [, ms] = await timed(() =>
      db.query(
        `SELECT sensor, isoyear(ts::TIMESTAMP) AS y, week(ts::TIMESTAMP) AS w, dst_port, count(*)::BIGINT AS sessions, count(DISTINCT src_ip)::BIGINT AS sources
         FROM read_parquet(${sqlString(files)}) GROUP BY ALL`,
      ),
    );
    return ms;
  } finally {
    db.close();
  }
}

async function fullRun(files: string, work: string, state: string, clients: number, printer: PdfPrinter) {
  const sensors = Array.from({ length: SENSORS }, (_, i) => `sensor-${String(i + 1).padStart(2, '0')}`);
  const clientList =
    clients === 1
      ? [{ id: 'all', name: 'All sensors', sensors, recipients: { to: ['soc@client.example'] } }]
      : sensors.map((sensor, i) => ({ id: `client-${i + 1}`, name: `Client ${i + 1}`, sensors: [sensor], recipients: { to: [`soc@client${i + 1}.example`] } }));
  const config = validateConfig(
    {
      sources: [{ name: 'lake', format: 'parquet', path: files, fields: { time: 'ts', srcIp: 'src_ip', dstPort: 'dst_port', proto: 'proto', sensor: 'sensor' } }],
      clients: clientList,
      mail: { host: '127.0.0.1', from: 'briefs@portbrief.example' },
      output: path.join(work, `reports-${clients}`),
      outbox: path.join(work, `outbox-${clients}`),
      state,
    },
    path.join(work, 'portbrief.yaml'),
  );
  const result = await runWeekly({ config, week: WORKLOAD_REPORT_WEEK, now: new Date('2026-12-04T12:00:00Z'), log: silentLogger(), printer, dryRun: true, rebuildHistory: true });
  if (result.exitCode !== 0) throw new Error(`the ${clients}-client run exited ${result.exitCode}`);
  return result;
}

/** Locates the archive's addresses by the range join and by maxmind per row, timing only the lookups. */
export async function measureEnrichment(files: string, state: string): Promise<{ rangeJoin: number; perRow: number; rows: number }> {
  const db = await Database.open();
  try {
    await loadRangeTable(db, await openCountryDatabase(undefined, 'bench'), state, silentLogger());
    await db.run(`CREATE TABLE addresses AS SELECT src_ip, ip_key(src_ip) AS k FROM read_parquet(${sqlString(files)})`);
    const rows = Number((await db.query('SELECT count(*)::BIGINT AS n FROM addresses'))[0].n);

    const [, rangeJoin] = await timed(() =>
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
    return { rangeJoin, perRow, rows };
  } finally {
    db.close();
  }
}

/** Generates `sessions` sessions and measures only the enrichment, for sizes where a full run is not needed. */
export async function measureEnrichmentOnly(sessions: number, work: string): Promise<{ sessions: number; rangeJoin: number; perRow: number; rows: number; buildEmbedded: number }> {
  const lake = path.join(work, 'lake');
  const state = path.join(work, 'state');
  const db = await Database.open();
  let buildEmbedded: number;
  try {
    [, buildEmbedded] = await timed(async () => loadRangeTable(db, await openCountryDatabase(undefined, 'bench'), state, silentLogger()));
    await generateWorkload(db, sessions, SENSORS, lake, 'parquet');
  } finally {
    db.close();
  }
  return { sessions, ...(await measureEnrichment(`${lake}/*/*.parquet`, state)), buildEmbedded };
}
