import { access, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Handlebars from 'handlebars';
import puppeteer, { type Browser, type Page, TimeoutError } from 'puppeteer-core';
import { PortbriefError, messageOf } from '../errors.js';
import { BROWSER_PROFILE_PREFIX } from '../paths.js';

/** Install paths of Chromium on Debian and other distributions, tried in order. */
const CHROMIUM_CANDIDATES = ['/usr/lib/chromium/chromium', '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** Flags for a headless Chromium with no network of its own: no sync, updates or background fetches. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-extensions',
  '--disable-dev-shm-usage',
  '--font-render-hinting=none',
];

export interface PrintOptions {
  /** Text for the page header, such as the title and week. */
  header: string;
  /** Text for the page footer before "Page N of M", such as the TLP marking. */
  footer: string;
  format?: 'Letter' | 'A4';
  timeoutMs?: number;
}

export interface PrintResult {
  pdf: Buffer;
  /** Every request the page tried to make; all of them were blocked. */
  blockedRequests: string[];
}

/** Finds the Chromium executable: PORTBRIEF_CHROMIUM when set, else the usual install paths. */
export async function findChromium(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const candidates = env.PORTBRIEF_CHROMIUM ? [env.PORTBRIEF_CHROMIUM] : CHROMIUM_CANDIDATES;
  for (const candidate of candidates) {
    try {
      await access(candidate);
      return candidate;
    } catch {
      continue;
    }
  }
  throw new PortbriefError(
    env.PORTBRIEF_CHROMIUM
      ? `Chromium not found at PORTBRIEF_CHROMIUM=${env.PORTBRIEF_CHROMIUM}. Fix the path or unset the variable.`
      : `Chromium not found (looked in ${CHROMIUM_CANDIDATES.join(', ')}). Install it with 'apt-get install chromium' or set PORTBRIEF_CHROMIUM.`,
  );
}

/** Chromium did not start or finish a print within the time allowed; the browser counts as hung. */
export class BrowserTimeoutError extends PortbriefError {}

/**
 * One headless Chromium for a whole run, reused for every brief. It runs
 * with a throwaway profile (HOME and XDG folders inside it), which close()
 * removes. NOTE: a killed run leaves its profile folder in the temp folder.
 */
export class PdfPrinter {
  private constructor(
    private readonly browser: Browser,
    /** The temporary folder of the browser's profile, home and temporary files, removed by close(). */
    readonly profileDir: string,
    readonly executablePath: string,
  ) {}

  /** PID of the browser process, the leader of its process group; undefined once closed. */
  get pid(): number | undefined {
    return this.browser.process()?.pid;
  }

  /** Whether the browser's DevTools connection is open; false once it crashed or was closed. */
  get connected(): boolean {
    return this.browser.connected;
  }

  /** Launches Chromium; `timeoutMs` (default 30 s) bounds the wait for it to start. */
  static async launch(options: { executablePath?: string; timeoutMs?: number } = {}): Promise<PdfPrinter> {
    const executablePath = options.executablePath ?? (await findChromium());
    const profileDir = await mkdtemp(path.join(tmpdir(), BROWSER_PROFILE_PREFIX));
    try {
      // Chromium puts its singleton socket folder in TMPDIR and removes it only
      // when it exits cleanly, so it goes inside the profile, which a killed
      // run's successor removes whole.
      await mkdir(path.join(profileDir, 'tmp'));
      const browser = await puppeteer.launch({
        executablePath,
        headless: true,
        userDataDir: path.join(profileDir, 'profile'),
        args: CHROMIUM_ARGS,
        timeout: options.timeoutMs ?? 30_000,
        // puppeteer would close the browser on these signals itself. The run
        // handles them: the brief being printed finishes, then the run stops
        // and closes the browser.
        handleSIGINT: false,
        handleSIGTERM: false,
        handleSIGHUP: false,
        env: {
          ...process.env,
          HOME: profileDir,
          XDG_CONFIG_HOME: path.join(profileDir, 'config'),
          XDG_CACHE_HOME: path.join(profileDir, 'cache'),
          XDG_DATA_HOME: path.join(profileDir, 'data'),
          TMPDIR: path.join(profileDir, 'tmp'),
        },
      });
      return new PdfPrinter(browser, profileDir, executablePath);
    } catch (error) {
      await rm(profileDir, { recursive: true, force: true });
      const problem = `Chromium at ${executablePath} failed to start: ${launchError(error)}`;
      throw error instanceof TimeoutError ? new BrowserTimeoutError(problem, { cause: error }) : new PortbriefError(problem, { cause: error });
    }
  }

  /**
   * Prints self-contained HTML to PDF. Page JavaScript is disabled and every
   * request but data: URIs is aborted, so archive data in the page cannot run
   * script or read files. The whole print, opening the page included, must
   * finish within `timeoutMs` (default 60 s), else a BrowserTimeoutError is
   * thrown and the browser should be killed, because it may be hung.
   */
  async print(html: string, options: PrintOptions): Promise<PrintResult> {
    const timeout = options.timeoutMs ?? 60_000;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new BrowserTimeoutError(`Chromium at ${this.executablePath} did not finish printing the brief within ${timeout} ms`)),
        timeout,
      );
    });
    try {
      return await Promise.race([this.printPage(html, options, timeout), deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async printPage(html: string, options: PrintOptions, timeout: number): Promise<PrintResult> {
    const blockedRequests: string[] = [];
    let page: Page;
    try {
      page = await this.browser.newPage();
    } catch (error) {
      throw new PortbriefError(`Chromium at ${this.executablePath} failed to open a page for the brief: ${messageOf(error)}`, { cause: error });
    }
    try {
      await page.setJavaScriptEnabled(false);
      await page.setRequestInterception(true);
      page.on('request', (request) => {
        if (request.url().startsWith('data:')) {
          void request.continue();
          return;
        }
        blockedRequests.push(request.url());
        void request.abort('blockedbyclient');
      });

      await page.setContent(html, { waitUntil: 'load', timeout });
      const pdf = await page.pdf({
        format: options.format ?? 'Letter',
        printBackground: true,
        displayHeaderFooter: true,
        headerTemplate: headerFooter(options.header, false),
        footerTemplate: headerFooter(options.footer, true),
        margin: { top: '18mm', bottom: '18mm', left: '15mm', right: '15mm' },
        timeout,
      });
      return { pdf: Buffer.from(pdf), blockedRequests };
    } catch (error) {
      throw new PortbriefError(`Chromium at ${this.executablePath} failed to print the brief: ${messageOf(error)}`, { cause: error });
    } finally {
      await page.close().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    try {
      await this.browser.close();
    } finally {
      await rm(this.profileDir, { recursive: true, force: true });
    }
  }

  /**
   * Ends a browser that crashed or hangs. close() would first ask a hung
   * browser over DevTools to quit and wait for its reply, so the process
   * group (the browser and its helpers) is killed first.
   */
  async kill(): Promise<void> {
    const pid = this.pid;
    try {
      if (pid !== undefined) process.kill(-pid, 'SIGKILL');
    } catch {
      // The group is already gone.
    }
    await this.close().catch(() => undefined);
  }
}

/** Puppeteer's launch errors add the browser's stderr and a troubleshooting link on further lines; the message keeps one line. */
function launchError(error: unknown): string {
  return messageOf(error)
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('TROUBLESHOOTING:'))
    .join(' ');
}

/** Chromium's header and footer are separate small documents; text is escaped and sized here. */
function headerFooter(text: string, withPageNumbers: boolean): string {
  const pages = withPageNumbers ? ' · Page <span class="pageNumber"></span> of <span class="totalPages"></span>' : '';
  return `<div style="width:100%;font-family:'DejaVu Sans',sans-serif;font-size:7.5pt;color:#5f6b7a;padding:0 15mm;">${Handlebars.escapeExpression(text)}${pages}</div>`;
}
