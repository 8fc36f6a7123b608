import { chmodSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { validateConfig } from '../../src/config/load.js';
import { EXIT } from '../../src/errors.js';
import { PdfPrinter } from '../../src/render/pdf.js';
import { runWeekly } from '../../src/weekly.js';
import { startCli } from '../helpers/cli-process.js';
import { capturingLogger } from '../helpers/log-capture.js';
import { tempDir } from '../helpers/temp.js';
import { freshStateDir, twoClientConfig, writeTwoClientArchive } from '../helpers/two-clients.js';

const NOW = new Date('2026-12-04T12:00:00Z');
const dir = tempDir();
const archive = writeTwoClientArchive(dir);
const RETRY_WARNING = 'Chromium failed; the next print starts a new one';

/** Writes an executable shell script to use in place of Chromium; each start appends its PID to `<name>.pids`. */
function fakeChromium(name: string, body: string): { file: string; starts: () => number[] } {
  const file = path.join(tempDir(), name);
  const pids = `${file}.pids`;
  writeFileSync(file, `#!/bin/sh\necho $$ >> '${pids}'\n${body}\n`);
  chmodSync(file, 0o755);
  return { file, starts: () => (existsSync(pids) ? readFileSync(pids, 'utf8').trim().split('\n').map(Number) : []) };
}

function configFor(output: string, printTimeoutMs?: number) {
  const raw = { ...twoClientConfig(archive, output, freshStateDir(), 25), ...(printTimeoutMs === undefined ? {} : { print: { timeoutMs: printTimeoutMs } }) };
  return { raw, config: validateConfig(raw, path.join(output, 'portbrief.yaml')) };
}

/** Lists each client's files of 2025-W08 under `output`. */
function published(output: string): Record<string, string[]> {
  return Object.fromEntries(['alpha', 'beta'].map((client) => [client, readdirSync(path.join(output, client, '2025-W08')).sort()]));
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
}

describe('Chromium faults', () => {
  const saved = process.env.PORTBRIEF_CHROMIUM;
  afterEach(() => {
    if (saved === undefined) delete process.env.PORTBRIEF_CHROMIUM;
    else process.env.PORTBRIEF_CHROMIUM = saved;
  });

  it('writes HTML and JSON when Chromium exits at start', async () => {
    const chromium = fakeChromium('exits.sh', "echo 'chromium: cannot open display' >&2\nexit 1");
    const output = tempDir();
    const file = path.join(output, 'portbrief.yaml');
    writeFileSync(file, stringify(configFor(output).raw));

    const run = startCli(['weekly', '--config', file, '--week', '2025-W08', '--dry-run'], { PORTBRIEF_CHROMIUM: chromium.file });

    expect(await run.exited).toBe(EXIT.failure);
    const started = `Chromium at ${chromium.file} failed to start: Failed to launch the browser process! chromium: cannot open display`;
    const after = (client: string) =>
      `. brief.json and brief.html were written to ${path.join(output, client, '2025-W08')}; fix the browser or raise print.timeoutMs, then rerun to print and mail the brief.`;
    expect(run.stderr()).toContain(`portbrief: client alpha: brief.pdf not written: ${started}${after('alpha')}\n`);
    expect(run.stderr()).toContain(
      `portbrief: client beta: brief.pdf not written: Chromium failed 2 times in a row, so this run prints no more PDFs. The last failure: ${started}${after('beta')}\n`,
    );
    // The first failure gets one relaunch; after the second, no later brief starts the browser again.
    expect(chromium.starts()).toHaveLength(2);
    expect(run.logs.filter((line) => line.msg === RETRY_WARNING)).toHaveLength(1);
    expect(published(output)).toEqual({ alpha: ['brief.html', 'brief.json'], beta: ['brief.html', 'brief.json'] });
    expect(existsSync(path.join(output, 'outbox'))).toBe(false);
  });

  it('ends a Chromium that hangs at start', async () => {
    const chromium = fakeChromium('hangs.sh', 'exec sleep 600');
    process.env.PORTBRIEF_CHROMIUM = chromium.file;
    const output = tempDir();
    const { config } = configFor(output, 1000);

    const result = await runWeekly({ config, week: '2025-W08', now: NOW, log: capturingLogger().log, dryRun: true });

    expect(result.exitCode).toBe(EXIT.failure);
    expect(result.failed.map((entry) => entry.client)).toEqual(['alpha', 'beta']);
    expect(result.failed[0].error).toMatch(
      new RegExp(`^brief\\.pdf not written: Chromium at ${chromium.file} failed to start: Timed out after 1000 ms while waiting for the WS endpoint URL to appear in stdout`),
    );
    expect(result.failed[1].error).toMatch(/^brief\.pdf not written: Chromium failed 2 times in a row, so this run prints no more PDFs\. /);
    expect(published(output)).toEqual({ alpha: ['brief.html', 'brief.json'], beta: ['brief.html', 'brief.json'] });
    // Each hung start was killed when its time ran out.
    const starts = chromium.starts();
    expect(starts).toHaveLength(2);
    await vi.waitFor(() => expect(starts.filter(isRunning)).toEqual([]), { timeout: 10_000 });
  });

  it('prints again after Chromium crashes', async () => {
    const crashed = await PdfPrinter.launch();
    process.kill(-crashed.pid!, 'SIGKILL');
    await vi.waitFor(() => expect(crashed.connected).toBe(false), { timeout: 10_000 });
    const output = tempDir();
    const { log, lines } = capturingLogger();

    const result = await runWeekly({ config: configFor(output).config, week: '2025-W08', now: NOW, log, printer: crashed, dryRun: true });

    expect(result.exitCode).toBe(EXIT.ok);
    expect(result.failed).toEqual([]);
    expect(lines.filter((line) => line.msg === RETRY_WARNING).map((line) => line.err)).toEqual([
      `Chromium at ${crashed.executablePath} failed to open a page for the brief: Protocol error: Connection closed.`,
    ]);
    expect(published(output)).toEqual({ alpha: ['brief.html', 'brief.json', 'brief.pdf'], beta: ['brief.html', 'brief.json', 'brief.pdf'] });
  });

  it('prints again after a print hangs', async () => {
    const hung = await PdfPrinter.launch();
    // A stopped browser keeps its connection open and never responds, like one that hangs.
    process.kill(-hung.pid!, 'SIGSTOP');
    const output = tempDir();
    const { log, lines } = capturingLogger();
    try {
      const result = await runWeekly({ config: configFor(output, 10_000).config, week: '2025-W08', now: NOW, log, printer: hung, dryRun: true });

      expect(result.exitCode).toBe(EXIT.ok);
      expect(lines.filter((line) => line.msg === RETRY_WARNING).map((line) => line.err)).toEqual([
        `Chromium at ${hung.executablePath} did not finish printing the brief within 10000 ms`,
      ]);
      expect(published(output)).toEqual({ alpha: ['brief.html', 'brief.json', 'brief.pdf'], beta: ['brief.html', 'brief.json', 'brief.pdf'] });
    } finally {
      await hung.kill();
    }
  });
});
