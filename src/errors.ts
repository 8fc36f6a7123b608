/**
 * Exit codes of the `portbrief` command, documented in the README so that cron
 * wrappers and monitoring can tell a bad config from a failed run.
 */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  partialDelivery: 3,
  locked: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * An error meant for the person running portbrief: the message names the file,
 * key or value at fault and what to do next. Only the CLI entry file catches
 * it, prints the message as one line and exits with `exitCode`.
 */
export class PortbriefError extends Error {
  readonly exitCode: ExitCode;

  constructor(message: string, options: { exitCode?: ExitCode; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'PortbriefError';
    this.exitCode = options.exitCode ?? EXIT.failure;
  }
}

/** Returns the message of any thrown value, for wrapping a library error with context. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
