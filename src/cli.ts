#!/usr/bin/env node
import { Command, CommanderError, Option } from 'commander';
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
  .option('--rebuild-history', "recompute earlier weeks' rankings from the archive instead of using the stored ones")
  .action(async (options: { config: string; week?: string; dryRun?: boolean; resend?: boolean; rebuildHistory?: boolean }) => {
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
      rebuildHistory: options.rebuildHistory,
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
