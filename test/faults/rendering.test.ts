import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/load.js';
import { EXIT } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import { runWeekly } from '../../src/weekly.js';
import { printerForFile } from '../helpers/printer.js';
import { tempDir } from '../helpers/temp.js';
import { freshStateDir, twoClientConfig, writeTwoClientArchive } from '../helpers/two-clients.js';

const NOW = new Date('2026-12-04T12:00:00Z');
const dir = tempDir();
const archive = writeTwoClientArchive(dir);
const printer = printerForFile();

function configFor(output: string, change: (raw: ReturnType<typeof twoClientConfig>) => void = () => {}) {
  const raw = twoClientConfig(archive, output, freshStateDir(), 25);
  change(raw);
  return validateConfig(raw, path.join(dir, 'portbrief.yaml'));
}

describe('rendering faults', () => {
  it('prints a hostile client name as text', async () => {
    const output = tempDir();
    // Markup, a right-to-left override, a zero-width joiner, an emoji and 10,000 characters.
    const name = `<b style="color:red">Alpha</b> \u202Eevil\u202C \u200D🛡️ ${'x'.repeat(10_000)}`;
    const config = configFor(output, (raw) => {
      raw.clients[0].name = name;
    });

    const result = await runWeekly({ config, week: '2025-W08', now: NOW, log: silentLogger(), printer: printer(), dryRun: true });

    expect(result.exitCode).toBe(EXIT.ok);
    const html = readFileSync(path.join(output, 'alpha', '2025-W08', 'brief.html'), 'utf8');
    expect(html).not.toContain('<b style');
    expect(html).toContain('&lt;b style&#x3D;&quot;color:red&quot;&gt;Alpha&lt;/b&gt; \u202Eevil\u202C \u200D🛡️ ');
    const brief = JSON.parse(readFileSync(path.join(output, 'alpha', '2025-W08', 'brief.json'), 'utf8')) as { client: { name: string } };
    expect(brief.client.name).toBe(name);
    expect(readFileSync(path.join(output, 'alpha', '2025-W08', 'brief.pdf')).subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('fails each client when the output folder cannot exist', async () => {
    const file = path.join(tempDir(), 'file.txt');
    writeFileSync(file, 'not a folder');
    const output = path.join(file, 'reports');

    const result = await runWeekly({ config: configFor(output), week: '2025-W08', now: NOW, log: silentLogger(), printer: printer(), dryRun: true });

    expect(result.exitCode).toBe(EXIT.failure);
    expect(result.clients).toEqual([]);
    expect(result.failed.map((entry) => entry.client)).toEqual(['alpha', 'beta']);
    expect(result.failed[0].error).toBe(
      `Cannot write ${path.join(output, 'alpha', '2025-W08', 'brief.json')}: ENOTDIR: not a directory, mkdir '${path.join(output, 'alpha', '2025-W08')}'. Check that the output folder is writable and has free space.`,
    );
    expect(readdirSync(path.dirname(file))).toEqual(['file.txt']);
  });

  it('stops the run when Chromium is missing', async () => {
    const output = tempDir();
    const saved = process.env.PORTBRIEF_CHROMIUM;
    process.env.PORTBRIEF_CHROMIUM = path.join(dir, 'no-chromium');
    try {
      await expect(runWeekly({ config: configFor(output), week: '2025-W08', now: NOW, log: silentLogger(), dryRun: true })).rejects.toThrow(
        `Chromium not found at PORTBRIEF_CHROMIUM=${path.join(dir, 'no-chromium')}. Fix the path or unset the variable.`,
      );
    } finally {
      if (saved === undefined) delete process.env.PORTBRIEF_CHROMIUM;
      else process.env.PORTBRIEF_CHROMIUM = saved;
    }
    // The browser is launched once for all briefs, so no client's brief.json or brief.html is written.
    expect(existsSync(path.join(output, 'alpha'))).toBe(false);
    expect(existsSync(path.join(output, 'beta'))).toBe(false);
  });
});
