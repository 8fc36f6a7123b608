import { lstatSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/load.js';
import { EXIT } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import { TEMPLATES_DIR } from '../../src/paths.js';
import { loadTemplates } from '../../src/render/templates.js';
import { runWeekly } from '../../src/weekly.js';
import { csvSourceConfig } from '../helpers/csv-source.js';
import { pdfText } from '../helpers/pdf-text.js';
import { printerForFile } from '../helpers/printer.js';
import { tempDir } from '../helpers/temp.js';
import { freshStateDir, twoClientConfig, writeTwoClientArchive } from '../helpers/two-clients.js';

const NOW = new Date('2026-12-04T12:00:00Z');
const dir = tempDir();
const archive = writeTwoClientArchive(dir);
const printer = printerForFile();

describe('security faults', () => {
  it('refuses a linked client output folder', async () => {
    const output = tempDir();
    const outside = tempDir();
    symlinkSync(outside, path.join(output, 'alpha'));
    const config = validateConfig(twoClientConfig(archive, output, freshStateDir(), 25), path.join(dir, 'portbrief.yaml'));

    const result = await runWeekly({ config, week: '2025-W08', now: NOW, log: silentLogger(), printer: printer(), dryRun: true });

    expect(result.exitCode).toBe(EXIT.failure);
    expect(result.failed).toEqual([
      {
        client: 'alpha',
        error: `Output folder ${path.join(output, 'alpha')} is a symbolic link; portbrief writes briefs only into real folders under ${output}. Replace the link with a folder.`,
      },
    ]);
    expect(readdirSync(outside)).toEqual([]);
    expect(readdirSync(path.join(output, 'beta', '2025-W08')).sort()).toEqual(['brief.html', 'brief.json', 'brief.pdf']);
  });

  it('refuses a linked outbox week folder', async () => {
    const output = tempDir();
    const outside = tempDir();
    const outbox = path.join(output, 'outbox');
    mkdirSync(outbox);
    symlinkSync(outside, path.join(outbox, '2025-W08'));
    const config = validateConfig(twoClientConfig(archive, output, freshStateDir(), 25), path.join(dir, 'portbrief.yaml'));

    const result = await runWeekly({ config, week: '2025-W08', now: NOW, log: silentLogger(), printer: printer(), dryRun: true });

    expect(result.exitCode).toBe(EXIT.partialDelivery);
    const error = `Outbox folder ${path.join(outbox, '2025-W08')} is a symbolic link; portbrief writes messages only into real folders under ${outbox}. Replace the link with a folder.`;
    expect(result.clients.map((client) => [client.client, client.delivery?.status, client.delivery?.error])).toEqual([
      ['alpha', 'failed', error],
      ['beta', 'failed', error],
    ]);
    expect(readdirSync(outside)).toEqual([]);
  });

  it('refuses a linked outbox message file', async () => {
    const output = tempDir();
    const outside = path.join(tempDir(), 'elsewhere.eml');
    writeFileSync(outside, 'not a brief');
    const week = path.join(output, 'outbox', '2025-W08');
    mkdirSync(week, { recursive: true });
    symlinkSync(outside, path.join(week, 'alpha.eml'));
    const config = validateConfig(twoClientConfig(archive, output, freshStateDir(), 25), path.join(dir, 'portbrief.yaml'));

    const result = await runWeekly({ config, week: '2025-W08', now: NOW, log: silentLogger(), printer: printer(), dryRun: true });

    expect(result.exitCode).toBe(EXIT.partialDelivery);
    expect(result.clients.map((client) => [client.client, client.delivery?.status, client.delivery?.error])).toEqual([
      ['alpha', 'failed', `${path.join(week, 'alpha.eml')} is a symbolic link; portbrief replaces only regular files, so nothing was written. Remove the link.`],
      ['beta', 'dry-run', undefined],
    ]);
    expect(readFileSync(outside, 'utf8')).toBe('not a brief');
    expect(readdirSync(week).sort()).toEqual(['alpha.eml', 'beta.eml']);
    expect(lstatSync(path.join(week, 'alpha.eml')).isSymbolicLink()).toBe(true);
  });

  it('prints CSS from names as text', async () => {
    const requests: string[] = [];
    const server: Server = createServer((request, response) => {
      requests.push(request.url ?? '');
      response.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const name = `Alpha </style><style>body{display:none;background:url(http://127.0.0.1:${port}/x)}</style>`;
      // A file name cannot contain '/', so the markup spans folders; the brief names the file by its path under the config's folder.
      const file = 'css</style><style>body{display:none}</style>.csv';
      const folder = tempDir();
      mkdirSync(path.dirname(path.join(folder, file)), { recursive: true });
      writeFileSync(path.join(folder, file), ['ts,src,dport,proto', '2025-02-18 10:00:00,8.8.8.8,443,tcp'].join('\n') + '\n');
      const config = csvSourceConfig(folder, file, { clients: [{ id: 'alpha', name, sources: ['sensors'] }] });

      const result = await runWeekly({ config, week: '2025-W08', now: NOW, log: silentLogger(), printer: printer(), dryRun: true });

      expect(result.exitCode).toBe(EXIT.ok);
      const html = readFileSync(path.join(folder, 'reports', 'alpha', '2025-W08', 'brief.html'), 'utf8');
      expect(html.match(/<style>/g)).toHaveLength(1);
      // The PDF wraps the long names where it likes, so text is compared with all white space removed.
      const compact = (text: string) => text.replace(/\s+/g, '');
      const text = compact(pdfText(path.join(folder, 'reports', 'alpha', '2025-W08', 'brief.pdf')));
      expect(text).toContain(compact(`Prepared for ${name} Week 2025-W08`));
      expect(text).toContain(compact(`${file} 1 1 0`));
      expect(requests).toEqual([]);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('resolves partial names only among loaded partials', async () => {
    const override = path.join(tempDir(), 'client');
    mkdirSync(override);
    writeFileSync(path.join(override, '..', 'secret.hbs'), 'SECRET');
    writeFileSync(path.join(override, 'brief.hbs'), '{{> ../secret}}');

    await expect(loadTemplates([override, TEMPLATES_DIR])).rejects.toThrow(
      `${path.join(override, 'brief.hbs')}:1:1: template error: partial '../secret' not found; partials are country, cover, data-quality, finding, findings, methodology, overview, sensor-gap, summary`,
    );
  });
});
