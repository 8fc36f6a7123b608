/**
 * Benchmarks portbrief against the floor DuckDB sets on the same files.
 *
 *   node --import tsx bench/run.ts [--sizes 1000000,10000000,100000000] [--out FILE]
 *
 * The page docs/benchmarks.md is rewritten when the default sizes run.
 * --out FILE writes the page of any run to FILE.
 * For each size it generates one parquet lake and measures, each step in its
 * own child process so that peak memory is the step's own:
 * (a) the bare SQL that builds the weekly table, sources located (the floor);
 * (b) the full weekly run for 1 client and for 20 clients, PDFs and dry-run delivery included;
 * (c) GeoIP enrichment by range join against per-row maxmind lookups on the same rows;
 * (d) one brief rendered and printed with a warm browser.
 * A baseline, the smallest archive the generator writes, separates what
 * grows with the archive from what every run pays. Further children measure
 * the reading rate per format and the range table build. The parent prints
 * the ratios with their verdicts and writes the page.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_MEMORY_LIMIT } from '../src/db.js';
import { type Enrichment, type Floor, type FullRun, type Generated, generate, measureEnrichment, measureFloor, measureFull, measureRangeBuild } from './measure.js';
import { type ReadingResult, measureReading } from './reading.js';
import { type Baseline, type SizeResult, report, summary } from './report.js';

const DEFAULT_SIZES = '1000000,10000000,100000000';
const PAGE = path.join('docs', 'benchmarks.md');

/** Archives up to this size are measured three times and the fastest run counts: their steps take a second or two, so another job's noise can swing a ratio. */
const REPEAT_UP_TO = 10_000_000;
const REPEATS = 3;

/**
 * Larger archives are measured twice. Two runs of the same code on 100 M
 * sessions differed by 6 % in their data stages, about as much as a ratio's
 * margin to its target. Their per-row lookups take about a minute and are
 * far from their target, so the enrichment step runs once.
 */
const LARGE_REPEATS = 2;

/** Rounds in which the baseline is measured again beside each size, whatever the size's own repeats. */
const BASELINE_ROUNDS = 3;

/**
 * The baseline archive's planned sessions. Every plan row gets at least one
 * session, so this gives the smallest archive the generator writes: one
 * session per sensor, week, country and port, with the same shape of briefs
 * as every size.
 */
const BASELINE_SESSIONS = 1;
const BASELINE_REPEATS = 5;

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: DEFAULT_SIZES },
    // The page keeps the full set of sizes, so a run of other sizes writes a page only to --out.
    out: { type: 'string' },
    'reading-rows': { type: 'string', default: '1000000' },
    // Child mode: one step, its result as JSON on stdout.
    step: { type: 'string' },
    work: { type: 'string' },
    value: { type: 'string' },
  },
});

if (values.step) {
  const work = values.work!;
  const value = Number(values.value);
  const steps: Record<string, () => Promise<unknown>> = {
    generate: () => generate(value, work),
    floor: () => measureFloor(work),
    full: () => measureFull(work, value),
    enrichment: () => measureEnrichment(work),
    'range-build': () => measureRangeBuild(work),
    reading: () => measureReading(value, work),
  };
  const result = await steps[values.step]();
  process.stdout.write(`${JSON.stringify(result)}\n`);
} else {
  const script = fileURLToPath(import.meta.url);
  const child = <T>(step: string, work: string, value = 0): T => {
    process.stderr.write(`bench: ${step}${value ? ` ${value.toLocaleString('en-US')}` : ''}\n`);
    const output = execFileSync(process.execPath, ['--import', 'tsx', script, '--step', step, '--work', work, '--value', String(value)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 1 << 20,
    });
    return JSON.parse(output.trim().split('\n').at(-1)!) as T;
  };
  const inScratch = <T>(step: (work: string) => T): T => {
    const work = mkdtempSync(path.join(tmpdir(), 'portbrief-bench-'));
    try {
      return step(work);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  };

  /** Keeps the fastest of a step's runs and the highest peak memory of all. */
  const fastest = <T extends { ms: number; peakRss: number }>(runs: T[], time: (result: T) => number = (result) => result.ms): T => {
    const best = runs.reduce((a, b) => (time(b) < time(a) ? b : a));
    return { ...best, peakRss: Math.max(...runs.map((result) => result.peakRss)) };
  };
  const fastestRun = (runs: FullRun[]) => fastest(runs, (run) => run.dataStages);

  /** Keeps the fastest of each timing of the enrichment runs, which are separate measurements. */
  const fastestEach = (runs: Enrichment[]): Enrichment => {
    const least = (time: (result: Enrichment) => number) => Math.min(...runs.map(time));
    return { rows: runs[0].rows, rangeJoin: least((r) => r.rangeJoin), everyRow: least((r) => r.everyRow), perRow: least((r) => r.perRow) };
  };

  /**
   * Measures one size in rounds. Each round runs every step once, so a slow
   * spell on the machine falls on all of them alike instead of on one
   * step's repeats. The baseline runs in the same rounds, so the size's
   * growth over it compares runs made within the same few minutes.
   */
  const measureSize = (size: number, work: string, baselineWork: string): SizeResult => {
    const generated = child<Generated>('generate', work, size);
    const large = generated.sessions > REPEAT_UP_TO;
    const times = large ? LARGE_REPEATS : REPEATS;
    const floors: Floor[] = [];
    const oneClient: FullRun[] = [];
    const twentyClients: FullRun[] = [];
    const enrichment: Enrichment[] = [];
    const baselineFloors: Floor[] = [];
    const baselineRuns: FullRun[] = [];
    for (let round = 0; round < Math.max(times, BASELINE_ROUNDS); round++) {
      if (round < times) {
        floors.push(child<Floor>('floor', work));
        oneClient.push(child<FullRun>('full', work, 1));
        twentyClients.push(child<FullRun>('full', work, 20));
        if (!large || round === 0) enrichment.push(child<Enrichment>('enrichment', work));
      }
      baselineFloors.push(child<Floor>('floor', baselineWork));
      baselineRuns.push(child<FullRun>('full', baselineWork, 1));
    }
    return {
      generated,
      floor: fastest(floors),
      oneClient: fastestRun(oneClient),
      twentyClients: fastestRun(twentyClients),
      enrichment: fastestEach(enrichment),
      baseline: { floor: fastest(baselineFloors), oneClient: fastestRun(baselineRuns) },
    };
  };

  // The baseline is measured first, alone, for the page's account of what
  // every run pays, and then again beside each size.
  inScratch((baselineWork) => {
    const baseline: Baseline = {
      generated: child<Generated>('generate', baselineWork, BASELINE_SESSIONS),
      floor: fastest(Array.from({ length: BASELINE_REPEATS }, () => child<Floor>('floor', baselineWork))),
      oneClient: fastestRun(Array.from({ length: BASELINE_REPEATS }, () => child<FullRun>('full', baselineWork, 1))),
    };
    const sizes = values.sizes!.split(',').map((size) => inScratch((work) => measureSize(Number(size), work, baselineWork)));
    const reading = inScratch((work) => child<ReadingResult>('reading', work, Number(values['reading-rows'])));
    const rangeBuild = inScratch((work) => child<number>('range-build', work));

    const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB memory, Node ${process.version}, DuckDB memory limit ${process.env.PORTBRIEF_MEMORY_LIMIT ?? DEFAULT_MEMORY_LIMIT}`;
    const results = { machine, sizes, baseline, reading, rangeBuild };
    process.stdout.write(`${summary(results)}\n`);
    const out = values.out ?? (values.sizes === DEFAULT_SIZES ? PAGE : undefined);
    if (out) {
      writeFileSync(out, report(results));
      process.stderr.write(`bench: wrote ${out}, with the stages, CPU times and reading rates\n`);
    } else {
      process.stderr.write(`bench: ${PAGE} is left as it is, because it keeps the results of every size; add --out FILE to write this run's page\n`);
    }
  });
}
