#!/usr/bin/env node
import { Command, CommanderError, Option } from 'commander';
import { loadConfig } from './config/load.js';
import { runGeoipCommand } from './enrich/geoip-command.js';
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
  .command('geoip')
  .description(
    'Print what portbrief attributes each address to, one tab-separated line per address: address, country code or ' +
      'special-purpose label (private, loopback, ...) or unknown, network (CIDR) in the country database, ASN, ' +
      "organisation, and the ASN database's network; '-' where there is none.",
  )
  .argument('<ip...>', 'IPv4 or IPv6 addresses (also IPv4-mapped ::ffff:a.b.c.d and IPv4 as a decimal integer)')
  .option('--db <file>', 'country database (.mmdb); default: geoip.country of --config, else the embedded database')
  .option('--asn <file>', 'ASN database (.mmdb, GeoLite2-ASN or GeoIP2-ISP); default: geoip.asn of --config, else none')
  .option('-c, --config <file>', 'YAML config file whose geoip section names the databases')
  .action(async (addresses: string[], options: { db?: string; asn?: string; config?: string }) => {
    const lines = await runGeoipCommand({ addresses, ...options });
    process.stdout.write(`${lines.join('\n')}\n`);
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
