import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/log.js';
import { PROJECT_ROOT } from '../../src/paths.js';
import { type PreviewServer, startPreview } from '../../src/preview.js';
import { tempDir } from '../helpers/temp.js';
import { freshStateDir } from '../helpers/two-clients.js';

const dir = tempDir();
const overrides = path.join(dir, 'overrides');
let preview: PreviewServer;

async function page(): Promise<string> {
  return (await fetch(preview.url)).text();
}

/** Waits until the page's version moves past `since`, as the browser's reload script does. */
async function nextVersion(since: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if ((await (await fetch(`${preview.url}version`)).text()) !== since) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the preview did not rebuild within 10 s');
}

beforeAll(async () => {
  mkdirSync(path.join(overrides, 'partials'), { recursive: true });
  const config = validateConfig(
    {
      sources: [{ name: 'tpot', format: 'csv', path: path.join(PROJECT_ROOT, 'demo', 'tpot-2025.csv.gz'), fields: { time: 'timestamp', srcIp: 'src_ip', dstPort: 'dst_port', proto: 'proto', sensor: 'sensor' } }],
      templates: overrides,
      state: freshStateDir(),
    },
    path.join(dir, 'portbrief.yaml'),
  );
  preview = await startPreview({ config, week: '2025-W08', port: 0, log: silentLogger(), now: new Date('2026-12-04T12:00:00Z') });
});
afterAll(async () => {
  await preview?.close();
});

describe('portbrief preview', () => {
  it('serves the brief on 127.0.0.1', async () => {
    expect(preview.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const html = await page();
    expect(html).toContain('Week 2025-W08 · 2025-02-17 to 2025-02-23 (UTC)');
    expect(html).toContain("fetch('/version')");
  });

  it('shows a template error in the page, then the fixed brief', async () => {
    const file = path.join(overrides, 'partials', 'cover.hbs');
    let version = await (await fetch(`${preview.url}version`)).text();
    writeFileSync(file, '<header>{{#if title}}</header>\n');
    await nextVersion(version);
    const broken = await page();
    expect(broken).toContain('The brief could not be built');
    expect(broken).toContain(`${file}:`);

    version = await (await fetch(`${preview.url}version`)).text();
    writeFileSync(file, '<header class="cover"><h1>Edited {{title}}</h1></header>\n');
    await nextVersion(version);
    expect(await page()).toContain('<h1>Edited Weekly port targeting brief</h1>');
  });

  it('rebuilds on each save by rename', async () => {
    const file = path.join(overrides, 'partials', 'cover.hbs');
    for (const edition of [1, 2, 3]) {
      const version = await (await fetch(`${preview.url}version`)).text();
      // Editors and sed -i save a file by writing a new one and renaming it over the old.
      writeFileSync(`${file}.new`, `<header class="cover"><h1>Edition ${edition}</h1></header>\n`);
      renameSync(`${file}.new`, file);
      await nextVersion(version);
      expect(await page()).toContain(`<h1>Edition ${edition}</h1>`);
    }
  });
});
