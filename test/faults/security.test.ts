import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/load.js';
import { EXIT } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import { TEMPLATES_DIR } from '../../src/paths.js';
import { loadTemplates } from '../../src/render/templates.js';
import { runWeekly } from '../../src/weekly.js';
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

  it('resolves partial names only among loaded partials', async () => {
    const override = path.join(tempDir(), 'client');
    mkdirSync(override);
    writeFileSync(path.join(override, '..', 'secret.hbs'), 'SECRET');
    writeFileSync(path.join(override, 'brief.hbs'), '{{> ../secret}}');

    await expect(loadTemplates([override, TEMPLATES_DIR])).rejects.toThrow(
      `${path.join(override, 'brief.hbs')}:1:1: template error: partial '../secret' not found; partials are country, cover, data-quality, finding, findings, methodology, overview, summary`,
    );
  });
});
