/**
 * Benchmarks portbrief against the floor DuckDB sets on the same files.
 *
 *   node --import tsx bench/run.ts [--sizes 1000000,10000000] [--out docs/benchmarks.md]
 *
 * Each size runs in its own child process, so peak memory is measured per
 * size. On one generated parquet lake it measures:
 * (a) the bare weekly aggregate SQL;
 * (b) the full weekly run for 1 client and for 20 clients, PDFs and dry-run delivery included;
 * (c) GeoIP enrichment by range join against per-row maxmind lookups on the same rows;
 * (d) one brief rendered and printed with a warm browser.
 * Further children measure the reading rate per format and enrichment at
 * 20 million rows. The parent writes the report.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { measureEnrichmentOnly, measureSize, type SizeResult } from './measure.js';
import { measureReading, type ReadingResult } from './reading.js';

type EnrichmentResult = Awaited<ReturnType<typeof measureEnrichmentOnly>>;

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1000000,10000000' },
    out: { type: 'string', default: path.join('docs', 'benchmarks.md') },
    size: { type: 'string' },
    reading: { type: 'string' },
    enrichment: { type: 'string' },
    'reading-rows': { type: 'string', default: '1000000' },
    'enrichment-rows': { type: 'string', default: '20000000' },
  },
});

if (values.size || values.reading || values.enrichment) {
  // Child mode: measure one thing and print the result as JSON on stdout.
  const work = mkdtempSync(path.join(tmpdir(), 'portbrief-bench-'));
  try {
    let result: unknown;
    if (values.size) result = await measureSize(Number(values.size), work);
    else if (values.reading) result = await measureReading(Number(values.reading), work);
    else result = await measureEnrichmentOnly(Number(values.enrichment), work);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
} else {
  const script = fileURLToPath(import.meta.url);
  const child = <T>(flag: string, value: string): T => {
    process.stderr.write(`bench: ${flag} ${Number(value).toLocaleString('en-US')}\n`);
    const output = execFileSync(process.execPath, ['--import', 'tsx', script, `--${flag}`, value], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 1 << 20,
    });
    return JSON.parse(output.trim().split('\n').at(-1)!) as T;
  };
  const results = values.sizes!.split(',').map((size) => child<SizeResult>('size', size));
  const reading = child<ReadingResult>('reading', values['reading-rows']!);
  const enrichment = child<EnrichmentResult>('enrichment', values['enrichment-rows']!);
  writeFileSync(values.out!, report(results) + readingReport(reading, enrichment));
  process.stderr.write(`bench: wrote ${values.out}\n`);
}

function report(results: SizeResult[]): string {
  const seconds = (ms: number) => (ms / 1000).toFixed(2);
  const ratio = (value: number) => value.toFixed(2);
  const mark = (ok: boolean) => (ok ? 'met' : '**missed**');
  const gib = (bytes: number) => (bytes / 2 ** 30).toFixed(2);
  const cpu = cpus()[0]?.model ?? 'unknown CPU';

  const rows = results.map((r) => {
    const overFloor = (r.full1 - r.renderAll1) / r.floor;
    return `| ${r.sessions.toLocaleString('en-US')} | ${seconds(r.floor)} | ${seconds(r.full1)} | ${seconds(r.full20)} | ${ratio(r.full1 / r.floor)} | ${ratio(overFloor)} (${mark(overFloor <= 1.5)}) | ${ratio(r.full20 / r.full1)} (${mark(r.full20 / r.full1 <= 1.2)}) | ${ratio(r.perRow / r.rangeJoin)} (${mark(r.perRow / r.rangeJoin >= 5)}) | ${seconds(r.warmRender)} (${mark(r.warmRender < 1000)}) | ${gib(r.peakRss)} (${mark(r.peakRss <= 2 * 2 ** 30)}) |`;
  });
  const rates = results.map((r) => `| ${r.sessions.toLocaleString('en-US')} | ${Math.round(r.rangeJoinRows / (r.rangeJoin / 1000)).toLocaleString('en-US')} | ${Math.round(r.rangeJoinRows / (r.perRow / 1000)).toLocaleString('en-US')} | ${seconds(r.generate)} |`);

  return `# Benchmarks

Measured by \`npm run bench\` (\`node --import tsx bench/run.ts\`), which
generates each archive with the seeded generator in \`bench/\` and rewrites
this page. Machine: ${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB memory, Node ${process.version}.

Workload: sessions over 8 ISO weeks from the ten countries with the most
address space in the embedded GeoIP database, to 40 ports with a Zipf-like
share per country, seen by 20 sensors, written as parquet partitioned by
week. The report week is the last one.

- **floor**: DuckDB's bare weekly aggregate over the same parquet files
  (sessions and distinct sources per sensor, week and port).
- **full, 1 client** and **full, 20 clients**: \`runWeekly\` end to end:
  archive read and accounting, enrichment, rankings and findings, HTML, PDF,
  and delivery to the outbox (dry run). One client owns all 20 sensors, or
  each of 20 clients owns one.
- **over floor**: (full run for 1 client − its render and print time) / floor. Target ≤ 1.5.
- **20 / 1**: full run for 20 clients over full run for 1. Target ≤ 1.2.
- **per-row / join**: per-row maxmind lookups in JavaScript over the range join in DuckDB, on the same addresses. Target ≥ 5.
- **warm render**: one brief rendered to HTML and printed to PDF by an already running Chromium. Target < 1 s.
- **peak RSS**: the measuring process's maximum resident set. Target ≤ 2 GiB.

| sessions | floor (s) | full, 1 client (s) | full, 20 clients (s) | full / floor | over floor | 20 / 1 | per-row / join | warm render (s) | peak RSS (GiB) |
|---|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}

| sessions | range join (rows/s) | per-row lookups (rows/s) | generating the archive (s) |
|---|---|---|---|
${rates.join('\n')}
`;
}

function readingReport(reading: ReadingResult, enrichment: EnrichmentResult): string {
  const rate = (rows: number, ms: number) => Math.round(rows / (ms / 1000)).toLocaleString('en-US');
  const rows = reading.rates.map((r) => `| ${r.format} | ${r.rows.toLocaleString('en-US')} | ${(r.ms / 1000).toFixed(2)} | ${rate(r.rows, r.ms)} |`);
  return `
## Reading archives

The archive stage alone (read, parse into the canonical schema, account for
every row) on the same ${reading.sessions.toLocaleString('en-US')}-session workload written as
CSV, gzip CSV, NDJSON (\`format: json\`) and the lake made by \`portbrief import\`.

| format | rows | seconds | rows/s |
|---|---|---|---|
${rows.join('\n')}

## Enrichment at ${enrichment.rows.toLocaleString('en-US')} rows

| range join (s) | per-row maxmind lookups (s) | per-row / join | range table build, embedded database (s) |
|---|---|---|---|
| ${(enrichment.rangeJoin / 1000).toFixed(2)} | ${(enrichment.perRow / 1000).toFixed(2)} | ${(enrichment.perRow / enrichment.rangeJoin).toFixed(2)} (target ≥ 5: ${enrichment.perRow / enrichment.rangeJoin >= 5 ? 'met' : '**missed**'}) | ${(enrichment.buildEmbedded / 1000).toFixed(2)} |
`;
}
