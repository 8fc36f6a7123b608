import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { assignClients, qualityByClient } from './archive/clients.js';
import { loadArchive } from './archive/load.js';
import { buildBrief } from './analyse/build-brief.js';
import { loadPortRegistry } from './analyse/port-registry.js';
import { buildWeeklyTables, rankWeeks } from './analyse/rank.js';
import type { Brief } from './brief.js';
import { type Client, type Config, checkClientSensors, queryFolders } from './config/load.js';
import { selectClients } from './config/select-clients.js';
import { Database } from './db.js';
import { type DeliveryOutcome, deliverBriefs } from './deliver/deliver.js';
import { Ledger } from './deliver/ledger.js';
import { type SendMail, smtpSender } from './deliver/mailer.js';
import { type MessageTemplates, briefHash, loadMessageTemplates } from './deliver/message.js';
import { publishBrief, rejectLinkedFolders } from './deliver/publish.js';
import { type GeoipDatabases, checkDatabaseAges, databaseInfos, enrichSessions, openConfiguredDatabases } from './enrich/enrich.js';
import { EXIT, type ExitCode, PortbriefError, messageOf } from './errors.js';
import { type RunLock, acquireLock } from './lock.js';
import { checkStateDatabase } from './state-database.js';
import type { Logger } from './log.js';
import { TEMPLATES_DIR } from './paths.js';
import { renderBriefHtml } from './render/brief-html.js';
import { BrowserSession } from './render/browser-session.js';
import type { PdfPrinter, PrintResult } from './render/pdf.js';
import { type BriefTemplates, loadTemplates } from './render/templates.js';
import { requireWeekInArchive } from './archive/coverage.js';
import { type IsoWeek, lastCompleteWeek, parseIsoWeek, previousWeek, weeksBefore } from './week.js';
import type { AnalysisSettings } from './analyse/findings.js';
import type { WeeklyTable } from './analyse/weekly-table.js';
import { loadPortNotes } from './analyse/port-notes.js';
import { fileExists } from './file-exists.js';

export interface WeeklyOptions {
  config: Config;
  /** `YYYY-Www`; the last complete ISO week at `now` when absent. */
  week?: string;
  now: Date;
  log: Logger;
  /** Write each message to the outbox as .eml instead of sending it. */
  dryRun?: boolean;
  /** Send again to clients that already received this week's brief. */
  resend?: boolean;
  /** Client ids whose briefs this run builds, publishes and mails; every client when absent. */
  clients?: readonly string[];
  /** A browser to reuse; when absent the run launches one and closes it at the end. */
  printer?: PdfPrinter;
  /** Sends mail; by default an SMTP sender built from the config. */
  send?: SendMail;
  templatesDir?: string;
  /** Stops the run between clients when aborted (SIGTERM). */
  signal?: AbortSignal;
  /** Recompute earlier weeks' rankings from the archive instead of using the stored ones. */
  rebuildHistory?: boolean;
  /** Fills the weekly table; by default from the sessions this run locates. */
  weeklyTable?: WeeklyTable;
  /** The SQL folders, most specific first; by default the config's override folder, then the shipped queries/. */
  queriesDir?: string[];
}

/** Weeks before the report week that are read for baselines and trends. */
const WINDOW_WEEKS_BEFORE = 12;

export interface ClientResult {
  client: string;
  outputDir: string;
  files: string[];
  /** True when the brief was mailed before and has not changed, so its published files were kept instead of written again. */
  keptPublished: boolean;
  brief: Brief;
  delivery?: DeliveryOutcome;
}

export interface WeeklyResult {
  week: string;
  runId: string;
  clients: ClientResult[];
  /** Clients whose brief could not be rendered or printed, with the error. */
  failed: Array<{ client: string; error: string }>;
  exitCode: ExitCode;
}

/**
 * Runs the weekly job for every client: reads the archive once, locates
 * sources, ranks each client's ports, renders and publishes each brief under
 * <output>/<client>/<YYYY-Www>/, then mails it (or writes it to the outbox).
 */
export async function runWeekly(options: WeeklyOptions): Promise<WeeklyResult> {
  if (options.clients !== undefined) options = { ...options, config: selectClients(options.config, options.clients) };
  const { config, now } = options;
  const week = options.week ? parseIsoWeek(options.week) : lastCompleteWeek(now);
  const runId = randomUUID().slice(0, 8);
  const log = options.log.child({ runId, week: week.id });

  // The error is logged as well as thrown, so a log read alone (cron's) shows why a run ended.
  try {
    requireEndedWeek(week, now);
    const lock = await acquireLock(path.join(config.state, 'portbrief.lock'), log, now);
    try {
      log.info({ clients: config.clients.map((client) => client.id), dryRun: options.dryRun === true }, 'weekly run started');
      const result = await runLocked(options, week, runId, log, lock);
      let level: 'info' | 'warn' | 'error' = 'error';
      if (result.exitCode === EXIT.ok) level = 'info';
      else if (result.exitCode === EXIT.partialDelivery) level = 'warn';
      const keptBriefs = result.clients.filter((client) => client.keptPublished).length;
      log[level](
        {
          exitCode: result.exitCode,
          briefs: { written: result.clients.length - keptBriefs, kept: keptBriefs, failed: result.failed.length },
          mail: countBy(result.clients.map((client) => client.delivery?.status ?? 'not attempted')),
        },
        'weekly run finished',
      );
      return result;
    } finally {
      await lock.release();
    }
  } catch (error) {
    log.error({ exitCode: error instanceof PortbriefError ? error.exitCode : EXIT.failure, err: messageOf(error) }, 'weekly run failed');
    throw error;
  }
}

/** Rejects a week that has not ended at `now`: its brief would miss the rest of the week and could not be mailed again once complete. */
function requireEndedWeek(week: IsoWeek, now: Date): void {
  if (week.end.getTime() <= now.getTime()) return;
  throw new PortbriefError(
    `Week ${week.id} has not ended: it runs to ${week.end.toISOString().replace('T', ' ').replace(/:00\.000Z$/, ' UTC')}. Run it after that, or leave out --week to report the last complete week.`,
    { exitCode: EXIT.usage },
  );
}

/** Counts each distinct value, such as delivery statuses. */
function countBy(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

async function runLocked(options: WeeklyOptions, week: IsoWeek, runId: string, log: Logger, lock: RunLock): Promise<WeeklyResult> {
  const { config, now } = options;
  const previous = previousWeek(week);

  // Cheap checks first, so a bad database or template fails before the archive is read.
  await checkStateDatabase(config.state);
  const geoip = await openConfiguredDatabases(config);
  const templates = await templatesByClient(config, options.templatesDir ?? TEMPLATES_DIR);
  const messageTemplates = await byTemplateChain(config, options.templatesDir ?? TEMPLATES_DIR, loadMessageTemplates);

  const briefs = await analyse(options, week, previous, geoip, log);
  checkAborted(options.signal);
  const unchanged = await mailedUnchanged(options, briefs, week);

  const clients: ClientResult[] = [];
  const failed: WeeklyResult['failed'] = [];
  const browser = new BrowserSession({ printer: options.printer, timeoutMs: config.print.timeoutMs, log, onLaunch: (pid, profile) => lock.recordBrowser(pid, profile) });
  const pdfs = new Map<string, Buffer>();
  try {
    if (unchanged.size < briefs.length) await timed(log, 'browser', () => browser.start());
    for (const { client, brief } of briefs) {
      checkAborted(options.signal);
      const clientLog = log.child({ client: client.id });
      try {
        const outputDir = path.join(config.output, client.outputSegment, week.id);
        await rejectLinkedFolders(config.output, outputDir);
        const { files, pdf } = unchanged.has(client.id)
          ? await keptBrief(outputDir, clientLog)
          : await renderAndPublish(brief, client, templates.get(client.id)!, browser, outputDir, clientLog);
        pdfs.set(client.id, pdf);
        clients.push({ client: client.id, outputDir, files, keptPublished: unchanged.has(client.id), brief });
      } catch (error) {
        clientLog.error({ err: messageOf(error) }, 'brief not written');
        failed.push({ client: client.id, error: messageOf(error) });
      }
    }
  } finally {
    await browser.close();
  }

  checkAborted(options.signal);
  const outcomes = await timed(log, 'deliver', () => deliver(options, week, clients, pdfs, messageTemplates, runId, log));
  for (const outcome of outcomes) {
    const result = clients.find((entry) => entry.client === outcome.client);
    if (result) result.delivery = outcome;
  }

  let exitCode: ExitCode = EXIT.ok;
  if (outcomes.some((outcome) => outcome.status === 'failed')) exitCode = EXIT.partialDelivery;
  if (failed.length > 0) exitCode = EXIT.failure;
  return { week: week.id, runId, clients, failed, exitCode };
}

/**
 * Reads the archive once and builds every client's brief model from that one
 * scan. `storeHistory: false` (the preview) leaves the stored rankings as they are.
 */
export async function analyse(
  options: Pick<WeeklyOptions, 'config' | 'now' | 'rebuildHistory' | 'weeklyTable' | 'queriesDir'> & { storeHistory?: boolean },
  week: IsoWeek,
  previous: IsoWeek,
  geoip: GeoipDatabases,
  log: Logger,
): Promise<Array<{ client: Client; brief: Brief }>> {
  const { config, now } = options;
  const windowStart = weeksBefore(week, WINDOW_WEEKS_BEFORE);
  const windowWeeks = Array.from({ length: WINDOW_WEEKS_BEFORE + 1 }, (_, i) => weeksBefore(week, WINDOW_WEEKS_BEFORE - i).id);
  const settings: AnalysisSettings = { weeks: windowWeeks, ports: config.top.ports, ...config.analysis };
  const notes = await loadPortNotes(config.analysis.notes);

  const db = await Database.open({ queriesDir: options.queriesDir ?? queryFolders(config) });
  try {
    const archive = await timed(log, 'archive', () => loadArchive(db, config, now, log, { grouped: true }));
    checkClientSensors(config, archive.sensors);
    requireWeekInArchive(config, week, archive);
    await assignClients(db, config.clients);

    const databaseWarnings = checkDatabaseAges(geoip, week, log);
    await timed(log, 'enrich', () => enrichSessions(db, geoip, { from: windowStart.start, to: week.end }, config.state, log, config.analysis.scanners));

    const registryUpdated = await loadPortRegistry(db);
    const quality = await qualityByClient(db, config, archive);
    return await timed(log, 'analyse', async () => {
      await buildWeeklyTables(db, {
        week,
        windowWeeks,
        rankBy: config.analysis.rankBy,
        stateDir: config.state,
        rebuildHistory: options.rebuildHistory === true,
        storeHistory: options.storeHistory !== false,
        now,
        weeklyTable: options.weeklyTable,
      });
      const rankings = await rankWeeks(db, {
        week,
        previous,
        windowWeeks,
        top: config.top,
        withNetworks: geoip.asn !== undefined,
        clients: config.clients.map((client) => ({ client: client.id, always: client.countries })),
      });
      const briefs = [];
      for (const client of config.clients) {
        const ranking = rankings.get(client.id)!;
        const files = quality.get(client.id) ?? [];
        const brief = buildBrief({
          config,
          client,
          files,
          week,
          previous,
          generatedAt: now,
          databases: databaseInfos(geoip),
          databaseWarnings,
          registryUpdated,
          ranking,
          notes,
          settings,
          rankBy: config.analysis.rankBy,
        });
        briefs.push({ client, brief });

        // The brief still goes out, saying so, but a silent sensor is the operator's to look into.
        for (const gap of brief.coverage.sensorGaps) {
          const change = {
            silent: `recorded no sessions in ${week.id}`,
            stopped: `stopped recording at ${gap.last} in ${week.id}`,
            started: `recorded nothing in ${week.id} until ${gap.first}`,
            partial: `recorded sessions in ${week.id} only from ${gap.first} to ${gap.last}`,
          }[gap.kind];
          log.warn(
            { client: client.id, sensor: gap.sensor, kind: gap.kind, first: gap.first, last: gap.last },
            `client ${client.id}: sensor ${gap.sensor} ${change}; check that it runs and that its logs reach the archive`,
          );
        }
        if (brief.weekTotals.sessions === 0) {
          log.warn(
            { client: client.id, sensors: client.sensors, latestSession: brief.coverage.archiveEnd },
            `client ${client.id}: its sensors recorded no sessions in ${week.id}; check that they run and that their logs reach the archive`,
          );
        }
      }
      return briefs;
    });
  } finally {
    db.close();
  }
}

/** The files a brief is published as, in the order they are written. */
const BRIEF_FILES = ['brief.json', 'brief.html', 'brief.pdf'];

/**
 * Returns the clients whose brief this run need not print again: the ledger
 * shows it mailed with the same content, and its files are still published.
 * Printing it again would replace the PDF the client received with one that
 * differs in its creation time, and delivery would not send it anyway.
 */
async function mailedUnchanged(options: WeeklyOptions, briefs: Array<{ client: Client; brief: Brief }>, week: IsoWeek): Promise<Set<string>> {
  const { config } = options;
  const unchanged = new Set<string>();
  if (options.dryRun || options.resend || !config.mail || !briefs.some(({ client }) => client.recipients)) return unchanged;
  const ledger = await Ledger.open(config.state);
  try {
    for (const { client, brief } of briefs) {
      if (!client.recipients) continue;
      const prior = await ledger.prior(client.id, week.id);
      const outputDir = path.join(config.output, client.outputSegment, week.id);
      const published = (await Promise.all(BRIEF_FILES.map((name) => fileExists(path.join(outputDir, name))))).every(Boolean);
      if (prior.kind === 'sent' && prior.record.briefSha256 === briefHash(brief) && published) unchanged.add(client.id);
    }
  } finally {
    ledger.close();
  }
  return unchanged;
}

/** Takes a mailed, unchanged brief's published files as they are. */
async function keptBrief(outputDir: string, log: Logger): Promise<{ files: string[]; pdf: Buffer }> {
  const files = BRIEF_FILES.map((name) => path.join(outputDir, name));
  const pdf = await readFile(files[2]);
  log.info({ outputDir }, 'brief unchanged since it was mailed; its published files are kept');
  return { files, pdf };
}

/**
 * Renders, prints and publishes one brief. When printing fails, brief.json
 * and brief.html are still published, without a PDF, and the print error is
 * thrown with what was written.
 */
async function renderAndPublish(
  brief: Brief,
  client: Client,
  templates: BriefTemplates,
  browser: BrowserSession,
  outputDir: string,
  log: Logger,
): Promise<{ files: string[]; pdf: Buffer }> {
  const html = await timed(log, 'render', () => renderBriefHtml(brief, templates));
  const json = `${JSON.stringify(brief, null, 2)}\n`;
  let printed: PrintResult;
  try {
    printed = await timed(log, 'print', () =>
      browser.print(html, {
        header: `${client.outputSegment === '' ? '' : `${brief.client.name} · `}${brief.title} · Week ${brief.week} (${brief.weekStart} to ${brief.weekEnd})`,
        footer: brief.tlp,
        format: client.paper,
      }),
    );
  } catch (error) {
    await publishBrief(outputDir, { json, html });
    throw new PortbriefError(
      `brief.pdf not written: ${messageOf(error).replace(/\.$/, '')}. brief.json and brief.html were written to ${outputDir}; fix the browser or raise print.timeoutMs, then rerun to print and mail the brief.`,
      { cause: error },
    );
  }
  if (printed.blockedRequests.length > 0) {
    log.warn({ blocked: printed.blockedRequests.slice(0, 10), count: printed.blockedRequests.length }, 'the brief page tried to load outside resources; they were blocked');
  }
  const files = await publishBrief(outputDir, { json, html, pdf: printed.pdf });
  log.info({ outputDir, countries: brief.countries.length, newEntrants: brief.newEntrants.length }, 'brief written');
  return { files, pdf: printed.pdf };
}

async function deliver(
  options: WeeklyOptions,
  week: IsoWeek,
  clients: ClientResult[],
  pdfs: Map<string, Buffer>,
  templates: Map<string, MessageTemplates>,
  runId: string,
  log: Logger,
): Promise<DeliveryOutcome[]> {
  const { config } = options;
  const jobs = clients.map((result) => ({
    client: config.clients.find((client) => client.id === result.client)!,
    brief: result.brief,
    pdf: pdfs.get(result.client)!,
    templates: templates.get(result.client)!,
  }));
  const mailing = !options.dryRun && config.mail !== undefined && jobs.some((job) => job.client.recipients);
  const ledger = mailing ? await Ledger.open(config.state) : undefined;
  const smtp = mailing && !options.send ? smtpSender(config.mail!) : undefined;
  try {
    // Clients since removed from the config are left out: nobody mails them any more.
    const unsent = (ledger ? await ledger.unsentBefore(week.id) : []).filter((entry) => config.clients.some((client) => client.id === entry.client));
    if (unsent.length > 0) {
      log.warn(
        { unsent },
        `earlier weeks have briefs that were never mailed: ${unsent.map((entry) => `${entry.week} (${entry.client})`).join(', ')}. Rerun each with --week once the cause is fixed.`,
      );
    }
    return await deliverBriefs(jobs, {
      config,
      log,
      runId,
      now: () => new Date(),
      dryRun: options.dryRun === true,
      resend: options.resend === true,
      ledger,
      send: options.send ?? smtp?.send,
    });
  } finally {
    smtp?.close();
    ledger?.close();
  }
}

/** Compiles each client's template set once; clients without overrides share one. */
export function templatesByClient(config: Config, shipped: string): Promise<Map<string, BriefTemplates>> {
  return byTemplateChain(config, shipped, loadTemplates);
}

/**
 * Lists the template folders of a client, most specific first: its own
 * override folder, the deployment's, then the shipped one.
 */
export function templateChain(config: Config, client: Client, shipped: string): string[] {
  return [client.templates, config.templates, shipped].filter((dir): dir is string => dir !== undefined);
}

/** Loads one set per distinct folder chain and maps each client to its set. */
async function byTemplateChain<T>(config: Config, shipped: string, load: (dirs: string[]) => Promise<T>): Promise<Map<string, T>> {
  const byChain = new Map<string, Promise<T>>();
  const result = new Map<string, T>();
  for (const client of config.clients) {
    const chain = templateChain(config, client, shipped);
    const key = chain.join('\n');
    if (!byChain.has(key)) byChain.set(key, load(chain));
    result.set(client.id, await byChain.get(key)!);
  }
  return result;
}

function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new PortbriefError('The run was stopped by a signal before it finished; published briefs are complete, the rest were not written. Rerun to finish.');
  }
}

/** Runs one stage of the run, logging its start and its end with the time it took. */
async function timed<T>(log: Logger, stage: string, step: () => Promise<T>): Promise<T> {
  log.info({ stage }, `${stage} started`);
  const started = performance.now();
  const result = await step();
  log.info({ stage, ms: Math.round(performance.now() - started) }, `${stage} done`);
  return result;
}
