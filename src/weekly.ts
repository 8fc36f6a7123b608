import path from 'node:path';
import { loadArchive } from './archive/load.js';
import { buildBrief } from './analyse/build-brief.js';
import { loadPortRegistry } from './analyse/port-registry.js';
import { rankWeek } from './analyse/rank.js';
import type { Brief } from './brief.js';
import type { Config } from './config.js';
import { Database } from './db.js';
import { publishBrief } from './deliver/publish.js';
import { openCountryDatabase } from './enrich/geoip-database.js';
import { loadRangeTable } from './enrich/range-cache.js';
import { EXIT, PortbriefError } from './errors.js';
import type { Logger } from './log.js';
import { TEMPLATES_DIR } from './paths.js';
import { renderBriefHtml } from './render/brief-html.js';
import { PdfPrinter } from './render/pdf.js';
import { loadTemplates } from './render/templates.js';
import { type IsoWeek, lastCompleteWeek, parseIsoWeek, previousWeek } from './week.js';

export interface WeeklyOptions {
  config: Config;
  /** `YYYY-Www`; the last complete ISO week at `now` when absent. */
  week?: string;
  now: Date;
  log: Logger;
  /** A browser to reuse; when absent the run launches one and closes it at the end. */
  printer?: PdfPrinter;
  templatesDir?: string;
}

export interface WeeklyResult {
  brief: Brief;
  outputDir: string;
  files: string[];
}

/**
 * Runs the weekly job: reads the archive, locates sources, ranks each
 * country's ports, renders the brief and publishes brief.json, brief.html and
 * brief.pdf under <output>/<YYYY-Www>/.
 */
export async function runWeekly(options: WeeklyOptions): Promise<WeeklyResult> {
  const { config, log, now } = options;
  const week = options.week ? parseIsoWeek(options.week) : lastCompleteWeek(now);
  const previous = previousWeek(week);
  const runLog = log.child({ week: week.id });

  // Cheap checks first, so a bad database or template fails before the archive is read.
  const geoip = await openCountryDatabase(config.geoip.country, config.file);
  const templates = await loadTemplates(options.templatesDir ?? TEMPLATES_DIR);

  const db = await Database.open();
  let brief: Brief;
  try {
    const archive = await timed(runLog, 'archive', () => loadArchive(db, config, now, runLog));
    requireWeekInArchive(week, archive.weeks.map((row) => row.week));

    await timed(runLog, 'enrich', async () => {
      await loadRangeTable(db, geoip, config.state, runLog);
      await db.runFile('special_ranges.sql');
      await db.run(await db.readQuery('enrich.sql'), { from: previous.start.toISOString(), to: week.end.toISOString() }, 'enrich.sql');
    });

    const registryUpdated = await loadPortRegistry(db);
    const ranking = await timed(runLog, 'analyse', () => rankWeek(db, week, previous, config.top));
    brief = buildBrief({ config, week, previous, generatedAt: now, database: geoip.info, registryUpdated, archive, ranking });
  } finally {
    db.close();
  }

  const html = await timed(runLog, 'render', () => renderBriefHtml(brief, templates));
  const printer = options.printer ?? (await PdfPrinter.launch());
  let pdf: Buffer;
  try {
    const printed = await timed(runLog, 'print', () =>
      printer.print(html, {
        header: `${brief.title} · Week ${brief.week} (${brief.weekStart} to ${brief.weekEnd})`,
        footer: brief.tlp,
      }),
    );
    pdf = printed.pdf;
    if (printed.blockedRequests.length > 0) {
      runLog.warn({ blocked: printed.blockedRequests.slice(0, 10), count: printed.blockedRequests.length }, 'the brief page tried to load outside resources; they were blocked');
    }
  } finally {
    if (!options.printer) await printer.close();
  }

  const outputDir = path.join(config.output, week.id);
  const files = await publishBrief(outputDir, { json: `${JSON.stringify(brief, null, 2)}\n`, html, pdf });
  runLog.info({ outputDir, countries: brief.countries.length, newEntrants: brief.newEntrants.length }, 'brief written');
  return { brief, outputDir, files };
}

function requireWeekInArchive(week: IsoWeek, weeks: string[]): void {
  if (weeks.includes(week.id)) return;
  if (weeks.length === 0) {
    throw new PortbriefError(`The archive has no accepted sessions at all, so there is no brief for ${week.id}. See the data-quality counts in the log.`);
  }
  const listed = weeks.length <= 20 ? weeks.join(', ') : `${weeks.slice(0, 10).join(', ')}, … ${weeks.slice(-5).join(', ')}`;
  throw new PortbriefError(
    `The archive has no sessions in week ${week.id}. It covers ${weeks.length} week${weeks.length === 1 ? '' : 's'} from ${weeks[0]} to ${weeks.at(-1)}: ${listed}. Pass one of them with --week.`,
    { exitCode: EXIT.usage },
  );
}

async function timed<T>(log: Logger, stage: string, step: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await step();
  log.info({ stage, ms: Math.round(performance.now() - started) }, `${stage} done`);
  return result;
}
