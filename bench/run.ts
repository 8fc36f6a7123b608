/**
 * Benchmarks portbrief against the floor DuckDB sets on the same files.
 *
 *   node --import tsx bench/run.ts [--sizes 1000000,10000000] [--out docs/benchmarks.md]
 *
 * Each size runs in its own child process (so peak memory is measured per
 * size) and measures, on one generated parquet lake: (a) the bare weekly
 * aggregate SQL; (b) the full weekly run, PDFs and dry-run delivery
 * included, for 1 client and for 20 clients; (c) GeoIP enrichment by range
 * join against per-row maxmind lookups on the same rows; (d) one brief
 * rendered and printed with a warm browser. The parent writes the report.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { measureSize, type SizeResult } from './measure.js';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1000000,10000000' },
    out: { type: 'string', default: path.join('docs', 'benchmarks.md') },
    size: { type: 'string' },
  },
});

if (values.size) {
  // Child mode: measure one size and print the result as JSON on stdout.
  const work = mkdtempSync(path.join(tmpdir(), 'portbrief-bench-'));
  try {
    const result = await measureSize(Number(values.size), work);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
} else {
  const script = fileURLToPath(import.meta.url);
  const results: SizeResult[] = [];
  for (const size of values.sizes!.split(',').map(Number)) {
    process.stderr.write(`bench: measuring ${size.toLocaleString('en-US')} sessions\n`);
    const output = execFileSync(process.execPath, ['--import', 'tsx', script, '--size', String(size)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 1 << 20,
    });
    results.push(JSON.parse(output.trim().split('\n').at(-1)!) as SizeResult);
  }
  writeFileSync(values.out!, report(results));
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
