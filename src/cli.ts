#!/usr/bin/env node
import { Command, CommanderError, Option } from 'commander';
import { loadConfig } from './config.js';
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
  .description('Build the brief of one ISO week: brief.pdf, brief.html and brief.json under <output>/<YYYY-Www>/.')
  .requiredOption('-c, --config <file>', 'YAML config file')
  .addOption(new Option('-w, --week <YYYY-Www>', 'ISO week to report (default: the last complete week)'))
  .action(async (options: { config: string; week?: string }) => {
    const log = createLogger({ level: program.opts().debug ? 'debug' : undefined });
    const config = await loadConfig(options.config);
    const result = await runWeekly({ config, week: options.week, now: new Date(), log });
    for (const file of result.files) process.stdout.write(`${file}\n`);
  });

async function main(argv: string[]): Promise<number> {
  try {
    await program.parseAsync(argv);
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already printed its message (or the help text).
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    const debug = program.opts().debug === true || argv.includes('--debug');
    if (error instanceof PortbriefError) {
      process.stderr.write(`portbrief: ${error.message}\n`);
      if (debug && error.cause instanceof Error) process.stderr.write(`${error.cause.stack}\n`);
      return error.exitCode;
    }
    process.stderr.write(`portbrief: unexpected error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.stderr.write(debug && error instanceof Error ? `${error.stack}\n` : 'Run again with --debug for a stack trace.\n');
    return EXIT.failure;
  }
}

process.exitCode = await main(process.argv);
