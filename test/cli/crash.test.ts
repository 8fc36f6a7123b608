import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../src/errors.js';
import { startCli } from '../helpers/cli-process.js';
import { listFiles } from '../helpers/files.js';
import { startSmtpServer } from '../helpers/smtp.js';
import { tempDir } from '../helpers/temp.js';
import { freshStateDir, twoClientConfig, writeTwoClientArchive } from '../helpers/two-clients.js';

function writeConfig(dir: string, port: number): { file: string; output: string; state: string } {
  const output = path.join(dir, 'reports');
  const state = freshStateDir();
  const file = path.join(dir, 'portbrief.yaml');
  writeFileSync(file, stringify(twoClientConfig(writeTwoClientArchive(dir), output, state, port)));
  return { file, output, state };
}

/** Tells whether a process exists and is not a zombie waiting to be reaped. */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.split(') ')[1]?.[0] !== 'Z';
}

describe('a run killed while rendering', () => {
  it('publishes no partial file, and the rerun mails each client once', async () => {
    const dir = tempDir();
    const server = await startSmtpServer();
    try {
      const { file, output, state } = writeConfig(dir, server.port);

      const first = startCli(['weekly', '--config', file, '--week', '2025-W08']);
      await first.waitForLog((line) => line.msg === 'render done' && line.client === 'alpha');
      first.child.kill('SIGKILL');
      expect(await first.exited).toBe('SIGKILL');
      const { browserPid, browserProfile } = JSON.parse(readFileSync(path.join(state, 'portbrief.lock'), 'utf8')) as { browserPid: number; browserProfile: string };
      expect(isRunning(browserPid)).toBe(true);
      expect(existsSync(browserProfile)).toBe(true);
      // Chromium's own temporary files, its singleton socket folder among them, are inside the profile.
      expect(readdirSync(path.join(browserProfile, 'tmp')).some((name) => name.startsWith('org.chromium.Chromium.'))).toBe(true);

      // Whatever was published is complete: every PDF opens, and none lacks its JSON.
      const published = listFiles(output);
      expect(published.filter((name) => name.endsWith('.pdf') && !name.endsWith('brief.pdf'))).toEqual([]);
      for (const pdf of published.filter((name) => name.endsWith('brief.pdf'))) {
        expect(() => execFileSync('pdfinfo', [path.join(output, pdf)])).not.toThrow();
        expect(published).toContain(pdf.replace('brief.pdf', 'brief.json'));
      }
      expect(server.received).toHaveLength(0);

      const rerun = startCli(['weekly', '--config', file, '--week', '2025-W08']);
      expect(await rerun.exited).toBe(EXIT.ok);
      expect(rerun.logs.some((line) => line.msg === 'taking over a stale lock: its process is gone')).toBe(true);
      // The killed run's Chromium outlived it; the rerun ended it.
      expect(rerun.logs.some((line) => line.msg === 'ended the browser the stale run left behind' && line.browserPid === browserPid)).toBe(true);
      expect(isRunning(browserPid)).toBe(false);
      // Its profile folder is gone too.
      expect(rerun.logs.some((line) => line.msg === 'removed the browser profile the stale run left behind' && line.browserProfile === browserProfile)).toBe(true);
      expect(existsSync(browserProfile)).toBe(false);
      expect(server.received.map((mail) => mail.envelopeTo.sort().join(' ')).sort()).toEqual(['ciso@alpha.example soc@alpha.example', 'security@beta.example']);
      expect(listFiles(output)).toEqual([
        'alpha/2025-W08/brief.html', 'alpha/2025-W08/brief.json', 'alpha/2025-W08/brief.pdf',
        'beta/2025-W08/brief.html', 'beta/2025-W08/brief.json', 'beta/2025-W08/brief.pdf',
      ]);
    } finally {
      await server.close();
    }
  });
});

describe('two runs started together', () => {
  it('lets the second exit with the locked code and a clear message', async () => {
    const dir = tempDir();
    // The server holds the first run's first message, so that run is surely inside its lock when the second starts.
    const server = await startSmtpServer((attempt) => (attempt === 1 ? 'hold' : undefined));
    try {
      const { file } = writeConfig(dir, server.port);
      const first = startCli(['weekly', '--config', file, '--week', '2025-W08']);
      await server.waitForHeld(1);

      const second = startCli(['weekly', '--config', file, '--week', '2025-W08']);
      expect(await second.exited).toBe(EXIT.locked);
      expect(second.stderr()).toMatch(/portbrief: Another portbrief run \(PID \d+, started .*\) holds the lock .*portbrief\.lock\. Wait for it to finish; this run did nothing\./);

      await server.releaseHeld();
      expect(await first.exited).toBe(EXIT.ok);
      expect(server.received).toHaveLength(2);
    } finally {
      await server.close();
    }
  });
});

describe('SIGTERM', () => {
  it('finishes the brief being printed, then stops and releases the lock', async () => {
    const dir = tempDir();
    const server = await startSmtpServer();
    try {
      const { file, output, state } = writeConfig(dir, server.port);
      const run = startCli(['weekly', '--config', file, '--week', '2025-W08']);
      await run.waitForLog((line) => line.msg === 'render done' && line.client === 'alpha');
      run.child.kill('SIGTERM');

      expect(await run.exited).toBe(EXIT.failure);
      expect(run.stderr()).toContain('portbrief: The run was stopped by a signal before it finished');
      expect(server.received).toHaveLength(0);
      expect(existsSync(path.join(state, 'portbrief.lock'))).toBe(false);
      // The signal came while alpha's brief was printing: that print ends and is published, beta's never starts.
      // The browser outlives the signal: puppeteer's own handler would have closed it under the print.
      expect(run.logs.filter((line) => line.level !== 'info').map((line) => line.msg)).toEqual(expect.not.arrayContaining([expect.stringMatching(/^Chromium failed/), 'brief not written']));
      expect(listFiles(output)).toEqual(['alpha/2025-W08/brief.html', 'alpha/2025-W08/brief.json', 'alpha/2025-W08/brief.pdf']);
    } finally {
      await server.close();
    }
  });
});
