import { PortbriefError, messageOf } from '../errors.js';
import type { Logger } from '../log.js';
import { BrowserTimeoutError, PdfPrinter, type PrintOptions, type PrintResult } from './pdf.js';

/** Failures of Chromium in a row, without a successful print between them, after which a run prints no more PDFs. */
const MAX_FAILURES_IN_A_ROW = 2;

export interface BrowserSessionOptions {
  /** A browser to use first; the caller keeps and closes it. */
  printer?: PdfPrinter;
  /** How long Chromium may take to start, and to print one brief. */
  timeoutMs: number;
  log: Logger;
  /** Called with the PID and profile folder of each browser the session launches, so the run lock can name them. */
  onLaunch(pid: number, profileFolder: string): Promise<void>;
}

/**
 * Chromium for one run: started before the first brief, and replaced when
 * it fails.
 *
 * Retry policy: when Chromium fails to start, crashes, or does not finish a
 * brief within the timeout, the session kills it and a new one prints the
 * same brief again. When that second try fails too, the session gives up:
 * that brief and every later one of the run get no PDF, without more tries,
 * so a broken browser costs at most two timeouts. A successful print resets
 * the count, so a later crash gets its own relaunch. A print error while the
 * browser stays connected, other than a timeout, belongs to that brief alone:
 * the brief fails and the browser is kept.
 */
export class BrowserSession {
  private printer: PdfPrinter | undefined;
  private owned = false;
  private failuresInARow = 0;
  private lastFailure = '';

  constructor(private readonly options: BrowserSessionOptions) {
    this.printer = options.printer;
  }

  /**
   * Starts the browser before the first brief, so that the run lock names it
   * from the start. A failure counts as the first of the retry policy.
   */
  async start(): Promise<void> {
    try {
      await this.current();
    } catch (error) {
      await this.recordFailure(error);
    }
  }

  async print(html: string, options: Omit<PrintOptions, 'timeoutMs'>): Promise<PrintResult> {
    for (;;) {
      if (this.failuresInARow >= MAX_FAILURES_IN_A_ROW) {
        throw new PortbriefError(`Chromium failed ${MAX_FAILURES_IN_A_ROW} times in a row, so this run prints no more PDFs. The last failure: ${this.lastFailure}`);
      }

      let printer: PdfPrinter | undefined;
      try {
        printer = await this.current();
        const result = await printer.print(html, { ...options, timeoutMs: this.options.timeoutMs });
        this.failuresInARow = 0;
        return result;
      } catch (error) {
        const browserFailed = printer === undefined || error instanceof BrowserTimeoutError || !printer.connected;
        if (!browserFailed) throw error;
        if (!(await this.recordFailure(error))) throw error;
      }
    }
  }

  /** Closes the browser the session launched; a browser the caller passed in stays open. */
  async close(): Promise<void> {
    if (this.owned) await this.printer?.close();
    this.printer = undefined;
  }

  private async current(): Promise<PdfPrinter> {
    if (this.printer) return this.printer;
    const printer = await PdfPrinter.launch({ timeoutMs: this.options.timeoutMs });
    this.printer = printer;
    this.owned = true;
    if (printer.pid !== undefined) await this.options.onLaunch(printer.pid, printer.profileDir);
    return printer;
  }

  /** Counts a failure of the browser and stops using it; returns whether the policy allows another try. */
  private async recordFailure(error: unknown): Promise<boolean> {
    this.failuresInARow++;
    this.lastFailure = messageOf(error);
    await this.discard();
    if (this.failuresInARow >= MAX_FAILURES_IN_A_ROW) return false;
    this.options.log.warn({ err: messageOf(error) }, 'Chromium failed; the next print starts a new one');
    return true;
  }

  /** Stops using a failed browser: kills it when the session launched it, else leaves it to its owner. */
  private async discard(): Promise<void> {
    if (this.owned) await this.printer?.kill();
    this.printer = undefined;
    this.owned = false;
  }
}
