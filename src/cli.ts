#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { inspectFile } from './archive/inspect.js';
import { importToLake } from './archive/lake.js';
import { checkDeployment } from './check.js';
import { loadConfig } from './config/load.js';
import { runGeoipCommand } from './enrich/geoip-command.js';
import { EXIT, PortbriefError } from './errors.js';
import { createLogger } from './log.js';
import { PROJECT_ROOT } from './paths.js';
import { startPreview } from './preview.js';
import { runWeekly } from './weekly.js';

const program = new Command();
program
  .name('portbrief')
  .description('Weekly briefs of the destination ports each source country targets, from sensor session archives.')
  .version(packageVersion(), '-V, --version', 'print the version')
  .option('--debug', 'print stack traces and debug logs')
  // Each command's help lists --debug too, since it also works after the command.
  .configureHelp({ showGlobalOptions: true })
  .showHelpAfterError()
  .exitOverride();

program
  .command('weekly')
  .description('Build, publish and mail each client its brief of one ISO week (files under <output>/<client>/<YYYY-Www>/).')
  .requiredOption('-c, --config <file>', 'YAML config file (required)')
  .addOption(new Option('-w, --week <YYYY-Www>', 'ISO week to report (default: the last complete week, Monday to Sunday UTC)'))
  .option('--dry-run', 'write each message to the outbox folder as an .eml file instead of sending it')
  .option('--resend', 'mail clients again even when the ledger shows this week was already sent')
  .option('--rebuild-history', "recompute earlier weeks' rankings from the archive instead of using the stored ones")
  .option('--client <id>', "only this client's brief; repeat for more (default: every client)", (id: string, ids: string[] = []) => [...ids, id])
  .action(async (options: { config: string; week?: string; dryRun?: boolean; resend?: boolean; rebuildHistory?: boolean; client?: string[] }) => {
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
      clients: options.client,
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
  .command('check')
  .description('Validate the config, templates, chart specs, queries, port notes, GeoIP database and sources without running.')
  .requiredOption('-c, --config <file>', 'YAML config file (required)')
  .action(async (options: { config: string }) => {
    const results = await checkDeployment(options.config);
    for (const result of results) {
      if (result.problem) process.stdout.write(`FAIL ${result.subject}: ${result.problem}\n`);
      else if (result.warning) process.stdout.write(`warn ${result.subject}: ${result.warning}\n`);
      else process.stdout.write(`ok   ${result.subject}\n`);
    }
    const failed = results.filter((result) => result.problem).length;
    const warned = results.filter((result) => result.warning).length;
    const warnings = warned === 0 ? '' : `, ${warned} with a warning`;
    process.stdout.write(failed === 0 ? `All ${results.length} checks passed${warnings}.\n` : `${failed} of ${results.length} checks failed${warnings}.\n`);
    if (results.length === 1 && failed === 1) process.stdout.write('The other checks run once the config loads.\n');
    process.exitCode = failed === 0 ? EXIT.ok : EXIT.usage;
  });

program
  .command('preview')
  .description("Serve one client's brief of a week as HTML on 127.0.0.1, rebuilt when a template, chart, notes file or query changes.")
  .requiredOption('-c, --config <file>', 'YAML config file (required)')
  .requiredOption('-w, --week <YYYY-Www>', 'ISO week to show (required)')
  .option('--client <id>', 'client to show (default: the first)')
  // The second default argument is how help shows it: the number, not a quoted string.
  .addOption(new Option('--port <number>', 'TCP port on 127.0.0.1').default('4173', '4173'))
  .action(async (options: { config: string; week: string; client?: string; port: string }) => {
    const log = createLogger({ level: program.opts().debug ? 'debug' : undefined });
    const config = await loadConfig(options.config, { requireSecrets: false });
    const port = Number(options.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new PortbriefError(`Invalid --port '${options.port}': use a TCP port number from 0 to 65535.`, { exitCode: EXIT.usage });
    }
    const preview = await startPreview({ config, week: options.week, client: options.client, port, log, now: new Date() });
    process.stdout.write(`Preview at ${preview.url} (Ctrl-C to stop)\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await preview.close();
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

program
  .command('import')
  .description('Write the accepted sessions of the sources to the lake as parquet, one file per source and ISO week (<lake>/source=<name>/week=<YYYY-Www>/data.parquet).')
  .requiredOption('-c, --config <file>', 'YAML config file (required)')
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
  .argument('<file>', 'archive file (plain or .gz; .zst with --format csv)')
  .option('-f, --format <format>', 'read the file as this format instead of detecting it')
  .option('--year <year>', 'year of syslog lines, which carry none (default: a year in the file name, else the current year)', parseYear)
  .option('-n, --rows <count>', 'how many sessions to show', parseCount, 5)
  .option('--queries <folder>', "folder of .sql files that replace the shipped ones, as a config's queries: setting")
  .action(async (file: string, options: { format?: string; year?: number; rows: number; queries?: string }) => {
    const log = createLogger({ level: program.opts().debug ? 'debug' : 'warn' });
    process.stdout.write(`${await inspectFile(file, { ...options, queriesDir: options.queries, now: new Date(), log })}\n`);
  });

/** Reads the version from the project's package.json, beside both src/ and dist/. */
function packageVersion(): string {
  return (JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

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
