import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

/**
 * Creates the one structured logger of a run. Logs go to stderr so that stdout
 * stays free for results. On a terminal they are printed readably; elsewhere
 * (cron, CI) each line is one JSON object, with the time in ISO 8601 UTC and
 * the level by name, so that a log file reads and greps without a decoder.
 */
export function createLogger(options: { level?: string; pretty?: boolean } = {}): Logger {
  const level = options.level ?? process.env.PORTBRIEF_LOG_LEVEL ?? 'info';
  const usePretty = options.pretty ?? process.stderr.isTTY === true;

  if (usePretty) {
    const stream = pretty({ destination: 2, sync: true, ignore: 'pid,hostname' });
    return pino({ level, base: undefined }, stream);
  }
  return pino(
    { level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime, formatters: { level: (label) => ({ level: label }) } },
    pino.destination({ dest: 2, sync: true }),
  );
}

/** Creates a logger that discards everything, for tests that only check results. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
