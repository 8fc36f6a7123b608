#!/usr/bin/env node
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { inspectFile } from './archive/inspect.js';
import { importToLake } from './archive/lake.js';
import { loadConfig } from './config/load.js';
import { EXIT, PortbriefError } from './errors.js';
import { createLogger } from './log.js';
import { runWeekly } from './weekly.js';

const program = new Command();
program
  .name('portbrief')
  .description('Weekly briefs of the destination ports each source country targets, from sensor session archives.')
  .option('--debug', 'print stack traces and debug logs')
  .showHelpAfterError()
  .exitOverride();

program
  .command('weekly')
  .description('Build, publish and mail each client its brief of one ISO week (files under <output>/<client>/<YYYY-Www>/).')
  .requiredOption('-c, --config <file>', 'YAML config file')
  .addOption(new Option('-w, --week <YYYY-Www>', 'ISO week to report (default: the last complete week, Monday to Sunday UTC)'))
  .option('--dry-run', 'write each message to the outbox folder as an .eml file instead of sending it')
  .option('--resend', 'mail clients again even when the ledger shows this week was already sent')
  .action(async (options: { config: string; week?: string; dryRun?: boolean; resend?: boolean }) => {
    const log = createLogger({ level: program.opts().debug ? 'debug' : undefined });
    const config = await loadConfig(options.config, { requireSecrets: options.dryRun !== true });

    // SIGTERM (systemd stop, kill) lets the current brief finish and then
    // stops, so nothing half-written is published and the lock is released.
    const stop = new AbortController();
    const onSignal = (signal: NodeJS.Signals) => {
      log.warn({ signal }, 'stopping after the current step');
      stop.abort();
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);

    const result = await runWeekly({
      config,
      week: options.week,
      now: new Date(),
      log,
      dryRun: options.dryRun,
      resend: options.resend,
      signal: stop.signal,
    });
    for (const client of result.clients) {
      for (const file of client.files) process.stdout.write(`${file}\n`);
      if (client.delivery?.file) process.stdout.write(`${client.delivery.file}\n`);
    }
    for (const failure of result.failed) process.stderr.write(`portbrief: client ${failure.client}: ${failure.error}\n`);
    for (const client of result.clients) {
      if (client.delivery?.status === 'failed') process.stderr.write(`portbrief: client ${client.client}: mail not delivered: ${client.delivery.error}\n`);
    }
    process.exitCode = result.exitCode;
  });

program
  .command('import')
  .description('Write the accepted sessions of the sources to the lake as parquet, one file per source and ISO week (<lake>/source=<name>/week=<YYYY-Www>/data.parquet).')
  .requiredOption('-c, --config <file>', 'YAML config file')
  .option('-s, --source <name>', 'import only this source (default: every source that does not read the lake)')
  .action(async (options: { config: string; source?: string }) => {
    const log = createLogger({ level: program.opts().debug ? 'debug' : undefined });
    const config = await loadConfig(options.config, { requireSecrets: false });
    const result = await importToLake(config, { sourceName: options.source, now: new Date(), log });
    for (const week of result.weeks) process.stdout.write(`${week.file}\t${week.sessions}\n`);
  });

program
  .command('inspect')
  .description('Read one archive file without a config and print its format, field mapping, time span, row counts, reject reasons and first sessions.')
  .argument('<file>', 'archive file (plain or .gz)')
  .option('-f, --format <format>', 'read the file as this format instead of detecting it')
  .option('--year <year>', 'year of syslog lines, which carry none (default: a year in the file name, else the current year)', parseYear)
  .option('-n, --rows <count>', 'how many sessions to show', parseCount, 5)
  .action(async (file: string, options: { format?: string; year?: number; rows: number }) => {
    const log = createLogger({ level: program.opts().debug ? 'debug' : 'warn' });
    process.stdout.write(`${await inspectFile(file, { ...options, now: new Date(), log })}\n`);
  });

function parseYear(text: string): number {
  const year = Number(text);
  if (!/^\d{4}$/.test(text) || year < 1970) throw new InvalidArgumentError('expected a four-digit year such as 2024.');
  return year;
}

function parseCount(text: string): number {
  if (!/^\d+$/.test(text)) throw new InvalidArgumentError('expected a whole number such as 5.');
  return Number(text);
}

async function main(argv: string[]): Promise<number> {
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already printed its message (or the help text).
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    const debug = argv.includes('--debug');
    if (error instanceof PortbriefError) {
      process.stderr.write(`portbrief: ${error.message}\n`);
      if (debug) process.stderr.write(`${(error.cause instanceof Error ? error.cause : error).stack}\n`);
      return error.exitCode;
    }
    process.stderr.write(`portbrief: unexpected error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.stderr.write(debug && error instanceof Error ? `${error.stack}\n` : 'Run again with --debug for a stack trace.\n');
    return EXIT.failure;
  }
}

process.exitCode = await main(process.argv);
