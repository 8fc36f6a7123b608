import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Handlebars from 'handlebars';
import puppeteer, { type Browser } from 'puppeteer-core';
import { PortbriefError, messageOf } from '../errors.js';

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

/**
 * One headless Chromium for a whole run, reused for every brief. It runs
 * with a throwaway profile (HOME and XDG folders inside it), which close()
 * removes. NOTE: a killed run leaves its profile folder in the temp folder.
 */
export class PdfPrinter {
  private constructor(
    private readonly browser: Browser,
    private readonly profileDir: string,
  ) {}

  /** PID of the browser process, the leader of its process group; undefined once closed. */
  get pid(): number | undefined {
    return this.browser.process()?.pid;
  }

  static async launch(options: { executablePath?: string; timeoutMs?: number } = {}): Promise<PdfPrinter> {
    const executablePath = options.executablePath ?? (await findChromium());
    const profileDir = await mkdtemp(path.join(tmpdir(), 'portbrief-chromium-'));
    try {
      const browser = await puppeteer.launch({
        executablePath,
        headless: true,
        userDataDir: path.join(profileDir, 'profile'),
        args: CHROMIUM_ARGS,
        timeout: options.timeoutMs ?? 30_000,
        env: {
          ...process.env,
          HOME: profileDir,
          XDG_CONFIG_HOME: path.join(profileDir, 'config'),
          XDG_CACHE_HOME: path.join(profileDir, 'cache'),
          XDG_DATA_HOME: path.join(profileDir, 'data'),
        },
      });
      return new PdfPrinter(browser, profileDir);
    } catch (error) {
      await rm(profileDir, { recursive: true, force: true });
      throw new PortbriefError(`Chromium at ${executablePath} failed to start: ${messageOf(error)}`, { cause: error });
    }
  }

  /**
   * Prints self-contained HTML to PDF. Page JavaScript is disabled and every
   * request but data: URIs is aborted, so archive data in the page cannot run
   * script or read files.
   */
  async print(html: string, options: PrintOptions): Promise<PrintResult> {
    const timeout = options.timeoutMs ?? 60_000;
    const blockedRequests: string[] = [];
    const page = await this.browser.newPage();
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
      throw new PortbriefError(`Printing the brief to PDF failed: ${messageOf(error)}`, { cause: error });
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
}

/** Chromium's header and footer are separate small documents; text is escaped and sized here. */
function headerFooter(text: string, withPageNumbers: boolean): string {
  const pages = withPageNumbers ? ' · Page <span class="pageNumber"></span> of <span class="totalPages"></span>' : '';
  return `<div style="width:100%;font-family:'DejaVu Sans',sans-serif;font-size:7.5pt;color:#5f6b7a;padding:0 15mm;">${Handlebars.escapeExpression(text)}${pages}</div>`;
}
