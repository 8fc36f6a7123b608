import { pino } from 'pino';
import type { Logger } from '../../src/log.js';

/** Creates a logger that keeps every line as a parsed object, for tests that check the run log. */
export function capturingLogger(): { log: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const log = pino({ level: 'info', base: undefined }, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { log, lines };
}
