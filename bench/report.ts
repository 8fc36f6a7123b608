/** Writes docs/benchmarks.md from the measured results. */
import { formatNumber as count } from '../src/render/helpers.js';
import type { Enrichment, Floor, FullRun, Generated } from './measure.js';
import type { ReadingResult } from './reading.js';

export interface SizeResult {
  generated: Generated;
  floor: Floor;
  oneClient: FullRun;
  twentyClients: FullRun;
  enrichment: Enrichment;
  /** The baseline archive's floor and 1-client run, measured in the same rounds as this size's steps. */
  baseline: Pick<Baseline, 'floor' | 'oneClient'>;
}

/** The smallest archive's floor and 1-client run: what a run costs whatever the archive's size. */
export interface Baseline {
  generated: Generated;
  floor: Floor;
  oneClient: FullRun;
}

export interface Results {
  machine: string;
  sizes: SizeResult[];
  baseline: Baseline;
  reading: ReadingResult;
  rangeBuild: number;
}

const GIB = 2 ** 30;

/** The targets each measured ratio is marked against. */
const TARGET = {
  overFloor: 1.5,
  twentyOverOne: 1.2,
  perRowOverJoin: 5,
  peakRss: 2 * GIB,
  perMillionGrowth: 1.25,
  warmRenderMs: 1000,
};

/**
 * The minimum growth of the floor over the baseline at which the growth
 * ratio is judged. Repeated runs of one step differed by up to about 50 ms
 * on this machine, so a smaller growth gives a ratio of noise.
 */
const MIN_JUDGED_FLOOR_GROWTH_MS = 100;

const seconds = (ms: number) => (ms / 1000).toFixed(2);
const ratio = (value: number) => value.toFixed(2);
const gib = (bytes: number) => (bytes / GIB).toFixed(2);
const mark = (ok: boolean) => (ok ? 'met' : '**missed**');

/** Milliseconds a run spent on briefs: the browser's start, every render and print, publishing and delivery. */
function briefStages(run: FullRun): number {
  return run.ms - run.dataStages;
}

/** Returns the size that per-million costs are compared with: 10 M sessions, else the first. */
function referenceSize(sizes: SizeResult[]): SizeResult {
  // The 10-million archive contains slightly fewer sessions than planned, as plan rows round down.
  return sizes.find((s) => s.generated.sessions >= 9_000_000) ?? sizes[0];
}

/** Returns the 1-client data stages' milliseconds per million sessions. */
function perMillion(s: SizeResult): number {
  return s.oneClient.dataStages / (s.generated.sessions / 1e6);
}

/** Returns the ratios of one size that have targets, each with whether it meets its target. */
function ratiosOf(s: SizeResult, reference: SizeResult) {
  const overFloor = s.oneClient.dataStages / s.floor.ms;
  const twentyOverOne = s.twentyClients.dataStages / s.oneClient.dataStages;
  const perRowOverJoin = s.enrichment.perRow / s.enrichment.rangeJoin;
  const growth = perMillion(s) / perMillion(reference);
  return {
    overFloor: { value: overFloor, met: overFloor <= TARGET.overFloor },
    twentyOverOne: { value: twentyOverOne, met: twentyOverOne <= TARGET.twentyOverOne },
    perRowOverJoin: { value: perRowOverJoin, met: perRowOverJoin >= TARGET.perRowOverJoin },
    // Growth is judged only on archives larger than the reference.
    growth: { value: growth, met: s.generated.sessions > reference.generated.sessions ? growth <= TARGET.perMillionGrowth : undefined },
  };
}

/**
 * Returns what a size adds over the baseline archive, to the run's data
 * stages and to the floor, and their ratio against the floor's target: the
 * growing part of the run, without what every run pays.
 */
function aboveBaseline(s: SizeResult) {
  const run = s.oneClient.dataStages - s.baseline.oneClient.dataStages;
  const floor = s.floor.ms - s.baseline.floor.ms;
  // Below this the ratio divides one run's noise by another's, so it is shown but not judged.
  const judged = floor >= MIN_JUDGED_FLOOR_GROWTH_MS;
  return { run, floor, value: run / floor, met: judged ? run / floor <= TARGET.overFloor : undefined };
}

/** The logged stages within the data stages; the rest of the data stages is the fixed part. */
const LOGGED_DATA_STAGES = ['archive', 'enrich', 'analyse'];

/** Returns the milliseconds of the data stages outside the archive, enrich and analyse stages: start-up checks, templates, port registry, client assignment. */
function fixedStages(run: FullRun): number {
  return run.dataStages - LOGGED_DATA_STAGES.reduce((sum, name) => sum + (run.stages[name] ?? 0), 0);
}

export function report(results: Results): string {
  const { sizes, baseline } = results;
  const reference = referenceSize(sizes);
  const against = sizes.map((s) => {
    const { overFloor } = ratiosOf(s, reference);
    const overCpu = s.oneClient.dataCpu / s.floor.cpu;
    return `| ${count(s.generated.sessions)} | ${count(s.generated.distinctSources)} | ${seconds(s.floor.scanMs)} | ${seconds(s.floor.ms)} | ${seconds(s.oneClient.ms)} | ${seconds(s.oneClient.dataStages)} | ${seconds(fixedStages(s.oneClient))} | ${seconds(briefStages(s.oneClient))} | ${ratio(overFloor.value)} (${mark(overFloor.met)}) | ${ratio(overCpu)} |`;
  });
  const growing = sizes.map((s) => {
    const growth = aboveBaseline(s);
    const verdict = growth.met === undefined ? 'not judged' : `${ratio(growth.value)} (${mark(growth.met)})`;
    const stageGrowth = LOGGED_DATA_STAGES.map((name) => (s.oneClient.stages[name] ?? 0) - (s.baseline.oneClient.stages[name] ?? 0));
    // The fixed part's growth completes the stages' parts to the total.
    const otherGrowth = fixedStages(s.oneClient) - fixedStages(s.baseline.oneClient);
    return `| ${count(s.generated.sessions)} | ${seconds(s.baseline.oneClient.dataStages)} | ${seconds(s.baseline.floor.ms)} | ${seconds(growth.run)} | ${[...stageGrowth, otherGrowth].map(seconds).join(' | ')} | ${seconds(growth.floor)} | ${verdict} |`;
  });
  const clients = sizes.map((s) => {
    const { twentyOverOne } = ratiosOf(s, reference);
    return `| ${count(s.generated.sessions)} | ${seconds(s.twentyClients.ms)} | ${seconds(s.twentyClients.dataStages)} | ${seconds(briefStages(s.twentyClients))} | ${ratio(twentyOverOne.value)} (${mark(twentyOverOne.met)}) | ${ratio(s.twentyClients.dataCpu / s.oneClient.dataCpu)} | ${ratio(s.twentyClients.ms / s.oneClient.ms)} |`;
  });
  const stages = sizes.map((s) => {
    const st = s.oneClient.stages;
    const known = ['archive', 'enrich', 'analyse', 'browser', 'render', 'print'].reduce((sum, name) => sum + (st[name] ?? 0), 0);
    return `| ${count(s.generated.sessions)} | ${seconds(st.archive ?? 0)} | ${seconds(st.enrich ?? 0)} | ${seconds(st.analyse ?? 0)} | ${seconds(st.browser ?? 0)} | ${seconds(st.render ?? 0)} | ${seconds(st.print ?? 0)} | ${seconds(s.oneClient.ms - known)} |`;
  });
  const enrichment = sizes.map((s) => {
    const e = s.enrichment;
    const { perRowOverJoin } = ratiosOf(s, reference);
    return `| ${count(e.rows)} | ${seconds(e.rangeJoin)} | ${seconds(e.perRow)} | ${ratio(perRowOverJoin.value)} (${mark(perRowOverJoin.met)}) | ${count(Math.round(e.rows / (e.rangeJoin / 1000)))} | ${count(Math.round(e.rows / (e.perRow / 1000)))} | ${seconds(e.everyRow)} |`;
  });
  const memory = sizes.map(
    (s) =>
      `| ${count(s.generated.sessions)} | ${gib(s.floor.peakRss)} | ${gib(s.oneClient.peakRss)} (${mark(s.oneClient.peakRss <= TARGET.peakRss)}) | ${gib(s.twentyClients.peakRss)} (${mark(s.twentyClients.peakRss <= TARGET.peakRss)}) |`,
  );
  const range = (values: number[]) => {
    const [low, high] = [Math.min(...values), Math.max(...values)].map(seconds);
    return low === high ? `${low} s` : `${low} to ${high} s`;
  };
  const baselineRuns = sizes.map((s) => s.baseline.oneClient.dataStages);
  const baselineFloors = sizes.map((s) => s.baseline.floor.ms);
  const missed = sizes.filter((s) => !ratiosOf(s, reference).overFloor.met);
  const largest = sizes.at(-1)!;
  // A year of 10 M sessions a week: the baseline's fixed part plus the largest size's growth per session.
  const yearSessions = 52 * 10_000_000;
  const growthPerSession = aboveBaseline(largest).run / (largest.generated.sessions - baseline.generated.sessions);
  const yearEstimate = Math.min(...baselineRuns) + growthPerSession * yearSessions;
  const cpuPerMillion = (s: SizeResult) => s.oneClient.dataCpu / (s.generated.sessions / 1e6);
  const linear = sizes.map((s) => {
    const { growth } = ratiosOf(s, reference);
    // The reference row compared with itself gives 1.00 by definition, so it is named instead.
    const over = s === reference ? 'reference' : `${ratio(growth.value)}${growth.met === undefined ? '' : ` (${mark(growth.met)})`}`;
    const overCpu = s === reference ? 'reference' : ratio(cpuPerMillion(s) / cpuPerMillion(reference));
    return `| ${count(s.generated.sessions)} | ${seconds(perMillion(s))} | ${over} | ${overCpu} | ${seconds(s.oneClient.warmRender ?? Number.NaN)} (${mark((s.oneClient.warmRender ?? Infinity) < TARGET.warmRenderMs)}) | ${seconds(s.generated.ms)} |`;
  });

  return `# Benchmarks

Measured by \`npm run bench\` (\`node --import tsx bench/run.ts\`), which
generates each archive with the seeded generator in \`bench/\`, measures each
step in its own child process, prints each ratio with its verdict and
rewrites this page. On archives of up to 10 M sessions the floor, the full
runs and the enrichment timings are measured three times, and the fastest
counts; larger archives are measured twice, their enrichment once. A step
of a second or two swings with any other job on the machine. The repeats
run in rounds of one run of each step, so a slow spell falls on all steps
alike. Peak memory is the highest of all runs. Machine:
${results.machine}.

Workload: sessions over 8 ISO weeks from the ten countries with the most
address space in the embedded GeoIP database, to 40 ports with a Zipf-like
share per country, seen by 20 sensors, written as parquet partitioned by
week with times stored as timestamps. Sources churn between sensors and
weeks. The report week is the last one. The generator gives each sensor,
week, country and port a whole number of sessions, at least one, so an
archive holds a few percent more or fewer sessions than the size asked for.
The tables give the number written.

- **floor**: the weekly table built by one bare DuckDB statement over the
  same parquet files and the GeoIP range table's cache file: sessions,
  distinct sources and the country's share per sensor, ISO week, source
  country and port. It locates each distinct address once with an ASOF
  join, so it pays the range table's sort as the run does. It groups by
  sensor where the run groups by client, because each of the 20-client
  run's clients owns one sensor.
- **scan only**: the same files grouped per sensor, week and port, with
  no country. It shows what reading the lake costs, and is not judged.
- **full run**: \`runWeekly\` end to end, as cron runs it. It launches its
  own Chromium and reads and accounts for every archive row. It locates
  sources, ranks and compares weeks, stores the report week's rankings,
  writes HTML, JSON and PDF, and delivers to the outbox (dry run). One
  client owns all 20 sensors, or each of 20 clients owns one.
- **data stages**: the full run up to the end of its analysis: reading,
  accounting, locating, ranking and every brief's model. **fixed** is the
  part of them that does not grow with the archive: start-up checks,
  compiling the templates, the port registry, assigning sensors to
  clients. **briefs** is the rest of the run: browser start, render, print,
  publish, deliver.
- **CPU time**: user and system time of the process, DuckDB's threads
  included. Another job on the machine slows the wall-clock figures but
  hardly the CPU ones, so both are given.
- **peak RSS**: the maximum resident set of the step's Node process,
  DuckDB included. Chromium runs in processes of its own and is not counted.

## Weekly run against the floor

Target: the full run takes at most 1.5 × the floor plus its brief time,
that is data stages / floor ≤ 1.5. The run also pays costs that do not grow
with the archive and that the floor does not have: the fixed column, the
special-purpose and scanner ranges (in the enrich stage), and a few
milliseconds for each of its several dozen SQL statements. On small
archives they dominate the ratio, and the next section measures them.

| sessions | distinct sources | scan only (s) | floor (s) | full run, 1 client (s) | data stages (s) | of which fixed (s) | briefs (s) | data stages / floor | same, CPU time |
|---|---|---|---|---|---|---|---|---|---|
${against.join('\n')}
${
  missed.length === 0
    ? ''
    : `
A missed verdict here does not mean a slow weekly run. At ${missed.map((s) => count(s.generated.sessions)).join(' and ')} sessions the whole
1-client run, briefs included, takes ${missed.map((s) => `${seconds(s.oneClient.ms)} s`).join(' and ')}. The ratio is missed
because the run's data stages cost about ${range(baselineRuns)} however small the archive (next
section), while the floor there takes ${missed.map((s) => `${seconds(s.floor.ms)} s`).join(' and ')}. The target binds where
reading the archive outweighs that fixed part${ratiosOf(largest, reference).overFloor.met ? `, as at ${count(largest.generated.sessions)} sessions` : ''}.
`
}
## What grows with the archive

The baseline archive is the smallest the generator writes:
${count(baseline.generated.sessions)} sessions, at least one per sensor, week, country and port, so
its briefs have the same countries, ports and weeks as those of every
size. Its 1-client run spends ${range(baselineRuns)} in the data stages, and its floor
takes ${range(baselineFloors)} (the first two columns below). A run pays that much whatever the archive's size, so on
its own it exceeds the target wherever the floor is below
${seconds(Math.min(...baselineRuns) / TARGET.overFloor)} s. Below, the baseline is taken off both sides, to compare what
grows with the sessions against the same target. This splits the
target's ratio in two and does not replace it. The baseline is measured
again in the same rounds as each size, and that measurement is the one
taken off, so a slow spell on the machine weighs on both sides alike.
Each figure is the difference of two runs and carries the noise of both,
a few tens of milliseconds, so a ratio is judged only where the floor
grew by at least ${seconds(MIN_JUDGED_FLOOR_GROWTH_MS)} s. A negative figure is such noise: that part
of the size's run happened to be faster than the baseline's. "other" is the
rest of the data stages (start-up, port registry, client assignment), so
the parts add up to the total.

| sessions | baseline data stages (s) | baseline floor (s) | data stages over the baseline (s) | of which archive (s) | enrich (s) | analyse (s) | other (s) | floor over the baseline (s) | ratio (target ≤ ${TARGET.overFloor}) |
|---|---|---|---|---|---|---|---|---|---|
${growing.join('\n')}

The archive stage reads the same files as the floor but groups them on
more keys. The file is a key for the accounting of each file's rows, and
the protocol for UDP counts and protocol names. The time checks are keys
where the parquet statistics leave them in doubt, so that a group's rows
share one reject reason. The stage also keeps each group's first and last
time, for the week's coverage and the first-seen dates. The enrich and
analyse stages then work on those groups, one SQL statement at a time.

## Twenty clients against one

Target: 20 clients at most 1.2 × one client. The archive is read and its
sources located once for all clients, and one set of queries ranks every
client's week. What still grows with the clients is the data: a source seen
by several clients' sensors counts once for each, and every client has its
own ranking rows, port history and brief model. That weighs most on small
archives. Each client also gets its own brief, so the whole run grows by
one render and print per client.

| sessions | full run, 20 clients (s) | data stages (s) | briefs (s) | data stages, 20 / 1 | same, CPU time | whole run, 20 / 1 |
|---|---|---|---|---|---|---|
${clients.join('\n')}

## Stages of the 1-client run (s)

From the run's own log. "other" is opening the databases and templates,
publishing and delivery.

| sessions | archive | enrich | analyse | browser start | render | print | other |
|---|---|---|---|---|---|---|---|
${stages.join('\n')}

## Cost per session and warm render

Target: cost linear in sessions: data stages per million sessions at each
size over the same figure at ${count(reference.generated.sessions)} sessions, at most 1.25 for larger
archives. Warm render: one brief rendered and printed by a running
Chromium; target under 1 s.

| sessions | data stages per million sessions (s) | over ${count(reference.generated.sessions)} | same, CPU time | warm render (s) | generating the archive (s) |
|---|---|---|---|---|---|
${linear.join('\n')}

## Peak memory (GiB)

Target: at most 2 GiB for the weekly run. DuckDB's memory limit (in the
machine line above) counts a GB as 10⁹ bytes, so 2GB is 1.86 GiB.

| sessions | floor | full run, 1 client | full run, 20 clients |
|---|---|---|---|
${memory.join('\n')}

## Enrichment: range join against per-row lookups

Every session's address is located twice. The first way is the weekly
run's: the ASOF range join in DuckDB on the distinct addresses, then a hash
join back to every row. The second is maxmind's reader in JavaScript, one
lookup per row. Only the lookups are timed. Target: the join at least 5 ×
faster. The last column runs the range join on every row instead, for
comparison. The join sorts the range table and the addresses whatever the
number of rows, so on archives well under a million rows the per-row
lookups come close. There the join on every row is also the faster of the
two joins, as it skips the distinct step and the join back.

| rows | range join (s) | per-row lookups (s) | per-row / join | join rows/s | per-row rows/s | range join on every row (s) |
|---|---|---|---|---|---|---|
${enrichment.join('\n')}

Building the embedded database's range table from the .mmdb file, without
its cache, took ${seconds(results.rangeBuild)} s.

## Archives longer than the window

The workload's 8 weeks fit in the weekly run's window of 13 weeks. The run
reads every week of the archive all the same, not only the window: the
first-seen dates look back over the whole archive, and the data quality
section counts every row. So a run's cost follows the sessions the archive
holds, and not the sessions of one week.${
    largest.generated.sessions >= 9_000_000
      ? ` An estimate, not a measurement: a
year of 10 M sessions a week, 520 M sessions, would spend about ${Math.round(yearEstimate / 1000)} s in the
data stages. That is the baseline's ${seconds(Math.min(...baselineRuns))} s plus what each session added from
the baseline to ${count(largest.generated.sessions)} sessions. Whether 2 GiB of memory still suffices there was
not measured.`
      : ''
  } [scaling.md](scaling.md) describes how the weekly table can come from a
cluster instead.
${readingReport(results.reading)}`;
}

function readingReport(reading: ReadingResult): string {
  const rate = (rows: number, ms: number) => count(Math.round(rows / (ms / 1000)));
  const rows = reading.rates.map((r) => `| ${r.format} | ${count(r.rows)} | ${seconds(r.ms)} | ${rate(r.rows, r.ms)} | ${seconds(r.groupedMs)} | ${rate(r.rows, r.groupedMs)} |`);
  return `
## Reading archives

The archive stage alone: read, parse into the canonical schema and account
for every row. The same ${count(reading.sessions)}-session workload is written as CSV,
gzip CSV, NDJSON (\`format: json\`) and the lake made by \`portbrief import\`.
Each is read row by row, as import and inspect read, and grouped, as the
weekly run reads.

| format | rows | row by row (s) | rows/s | grouped (s) | rows/s |
|---|---|---|---|---|---|
${rows.join('\n')}
`;
}

/**
 * Returns the ratios and peak memory of every size as a plain-text table,
 * each marked against its target, for the terminal.
 */
export function summary(results: Results): string {
  const reference = referenceSize(results.sizes);
  const header = ['sessions', 'data/floor', 'same over baseline', '20/1 clients', 'per-row/join', 'peak RSS (GiB)', `per M / per M at ${count(reference.generated.sessions)}`, 'warm render (s)'];
  const verdict = (shown: string, met: boolean | undefined) => (met === undefined ? shown : `${shown} ${met ? 'met' : 'MISSED'}`);
  const growthCell = (growth: ReturnType<typeof aboveBaseline>) => (growth.met === undefined ? 'not judged' : verdict(ratio(growth.value), growth.met));
  const rows = results.sizes.map((s) => {
    const ratios = ratiosOf(s, reference);
    const rss = Math.max(s.oneClient.peakRss, s.twentyClients.peakRss);
    const warm = s.oneClient.warmRender ?? Number.NaN;
    return [
      count(s.generated.sessions),
      verdict(ratio(ratios.overFloor.value), ratios.overFloor.met),
      growthCell(aboveBaseline(s)),
      verdict(ratio(ratios.twentyOverOne.value), ratios.twentyOverOne.met),
      verdict(ratio(ratios.perRowOverJoin.value), ratios.perRowOverJoin.met),
      verdict(gib(rss), rss <= TARGET.peakRss),
      s === reference ? 'reference' : verdict(ratio(ratios.growth.value), ratios.growth.met),
      verdict(seconds(warm), warm < TARGET.warmRenderMs),
    ];
  });
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const table = [header, ...rows].map((row) => row.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd());
  const targets =
    `Targets: data/floor ≤ ${TARGET.overFloor} (over baseline: both less the ${count(results.baseline.generated.sessions)}-session run), 20/1 clients ≤ ${TARGET.twentyOverOne}, per-row/join ≥ ${TARGET.perRowOverJoin}, ` +
    `peak RSS ≤ ${gib(TARGET.peakRss)} GiB, per M ≤ ${TARGET.perMillionGrowth} × the reference on larger archives, warm render < ${seconds(TARGET.warmRenderMs)} s.`;
  return [...table, targets].join('\n');
}
