import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, rmSync, statSync, statfsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/load.js';
import { EXIT } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import { runWeekly } from '../../src/weekly.js';
import { printerForFile } from '../helpers/printer.js';
import { tempDir } from '../helpers/temp.js';
import { capturingLogger } from '../helpers/log-capture.js';
import { tmpfsForTests } from '../helpers/tmpfs.js';
import { freshStateDir, twoClientConfig, writeTwoClientArchive } from '../helpers/two-clients.js';

const NOW = new Date('2026-12-04T12:00:00Z');
const dir = tempDir();
const archive = writeTwoClientArchive(dir);
const printer = printerForFile();
const BRIEF_FILES = ['brief.html', 'brief.json', 'brief.pdf'];

/** tmpfs counts space in pages of this size. */
const PAGE_BYTES = 4096;

describe('a full output folder', () => {
  // A small tmpfs fills up for real, where an injected error would only imitate ENOSPC.
  const tmpfs = tmpfsForTests('size=4m', 'portbrief-full-');
  const { mountPoint } = tmpfs;

  it('keeps the earlier brief when a new one does not fit', async (context) => {
    tmpfs.skipUnlessMounted(context, 'the full output folder test');
    const raw = twoClientConfig(archive, path.join(mountPoint, 'reports'), freshStateDir(), 25);
    raw.clients = raw.clients.slice(0, 1);
    const config = validateConfig(raw, path.join(dir, 'portbrief.yaml'));
    const week = path.join(mountPoint, 'reports', 'alpha', '2025-W08');
    // Each run a day later, so that every brief.json differs from the one before.
    let day = 0;
    const run = () => runWeekly({ config, week: '2025-W08', now: new Date(NOW.getTime() + day++ * 86_400_000), log: silentLogger(), printer: printer(), dryRun: true });

    expect((await run()).exitCode).toBe(EXIT.ok);
    const earlier = Object.fromEntries(BRIEF_FILES.map((name) => [name, readFileSync(path.join(week, name))]));

    // Leave room for a new brief.json and brief.html, and for half of a new brief.pdf.
    const pages = (name: string) => Math.ceil(statSync(path.join(week, name)).size / PAGE_BYTES);
    const room = (pages('brief.json') + pages('brief.html') + Math.floor(pages('brief.pdf') / 2)) * PAGE_BYTES;
    const free = () => Number(statfsSync(mountPoint).bavail) * Number(statfsSync(mountPoint).bsize);
    const filler = path.join(mountPoint, 'filler');
    writeFileSync(filler, Buffer.alloc(free() - room));
    expect(free()).toBe(room);

    const full = await run();

    expect(full.exitCode).toBe(EXIT.failure);
    expect(full.failed).toEqual([
      {
        client: 'alpha',
        error: `Cannot write ${path.join(week, 'brief.pdf')}: ENOSPC: no space left on device, write. Check that the output folder is writable and has free space.`,
      },
    ]);
    // Nothing of the new brief was published: no new brief.json sits beside the earlier PDF, and no temporary file is left.
    expect(readdirSync(week).sort()).toEqual(BRIEF_FILES);
    for (const name of BRIEF_FILES) expect(readFileSync(path.join(week, name)).equals(earlier[name])).toBe(true);
    expect(execFileSync('pdfinfo', [path.join(week, 'brief.pdf')], { encoding: 'utf8' })).toMatch(/^Pages:\s+\d+$/m);

    rmSync(filler);
    expect((await run()).exitCode).toBe(EXIT.ok);
    expect(readdirSync(week).sort()).toEqual(BRIEF_FILES);
  });
});

describe('a full state folder', () => {
  // Room for the state database but not for the 5 MB GeoIP range cache.
  const tmpfs = tmpfsForTests('size=4m', 'portbrief-full-state-');
  const { mountPoint } = tmpfs;

  it('survives a full state folder', async (context) => {
    tmpfs.skipUnlessMounted(context, 'the full state folder test');
    const state = path.join(mountPoint, 'state');
    const config = validateConfig(twoClientConfig(archive, tempDir(), state, 25), path.join(dir, 'portbrief.yaml'));
    const run = (log = silentLogger()) => runWeekly({ config, week: '2025-W08', now: NOW, log, printer: printer(), dryRun: true });

    const capture = capturingLogger();
    const first = await run(capture.log);

    expect(first.exitCode).toBe(EXIT.ok);
    const warning = capture.lines.find((line) => String(line.msg).startsWith('GeoIP range cache not written'));
    expect(warning?.err).toMatch(/No space left on device$/);
    expect(readdirSync(path.join(state, 'geoip'))).toEqual([]);

    // Leave two pages free: enough for the lock file, not for the stored rankings.
    const free = () => Number(statfsSync(mountPoint).bavail) * Number(statfsSync(mountPoint).bsize);
    const filler = path.join(mountPoint, 'filler');
    writeFileSync(filler, Buffer.alloc(free() - 2 * PAGE_BYTES));

    const file = path.join(state, 'portbrief.duckdb');
    await expect(run()).rejects.toThrow(new RegExp(`^Cannot write the state database ${file}: Could not write file ".*": No space left on device\\. Free space in the state folder or make it writable, then rerun\\.$`));

    // With space again, the state database is intact and the rerun gives the same briefs.
    rmSync(filler);
    const rerun = await run();
    expect(rerun.exitCode).toBe(EXIT.ok);
    expect(rerun.clients.map((client) => client.brief)).toEqual(first.clients.map((client) => client.brief));
  });
});

describe('a read-only output folder', () => {
  // As root, chmod does not stop writes; a file system mounted read-only does.
  const tmpfs = tmpfsForTests('ro,size=1m', 'portbrief-read-only-');
  const { mountPoint } = tmpfs;

  it('names the read-only file system', async (context) => {
    tmpfs.skipUnlessMounted(context, 'the read-only output folder test');
    const output = path.join(mountPoint, 'reports');
    const config = validateConfig(twoClientConfig(archive, output, freshStateDir(), 25), path.join(dir, 'portbrief.yaml'));

    const result = await runWeekly({ config, week: '2025-W08', now: NOW, log: silentLogger(), printer: printer(), dryRun: true });

    expect(result.exitCode).toBe(EXIT.failure);
    expect(result.clients).toEqual([]);
    const failure = (client: string) =>
      `Cannot write ${path.join(output, client, '2025-W08', 'brief.json')}: EROFS: read-only file system, mkdir '${output}'. ` +
      'The file system is mounted read-only, so remount it read-write or set output in the config to a folder on a writable file system.';
    expect(result.failed).toEqual([
      { client: 'alpha', error: failure('alpha') },
      { client: 'beta', error: failure('beta') },
    ]);
    expect(readdirSync(mountPoint)).toEqual([]);
  });
});
