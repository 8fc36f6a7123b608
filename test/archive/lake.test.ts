import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importToLake } from '../../src/archive/lake.js';
import { loadArchive } from '../../src/archive/load.js';
import { validateConfig } from '../../src/config/load.js';
import { Database } from '../../src/db.js';
import { silentLogger } from '../../src/log.js';
import { tempDir } from '../helpers/temp.js';
import { printerForFile } from '../helpers/printer.js';
import { EXIT } from '../../src/errors.js';
import { runWeekly } from '../../src/weekly.js';

const NOW = new Date('2026-12-04T12:00:00Z');
const printer = printerForFile();

/** CSV rows, one per hour from `start`, all from 203.0.113.<n>. */
function sessions(start: string, hours: number, port: number): string {
  const first = Date.parse(start);
  return Array.from({ length: hours }, (_, i) => `${new Date(first + i * 3_600_000).toISOString()},203.0.113.${i % 250},${port},tcp`).join('\n');
}

function lakeConfig(dir: string, sourcePath: string) {
  return validateConfig(
    {
      sources: [
        { name: 'sensors', format: 'csv', path: sourcePath, fields: { time: 'ts', srcIp: 'src', dstPort: 'dport', proto: 'proto' } },
        // The lake folder of source 'sensors', read under another name.
        { name: 'from-lake', format: 'lake', path: 'lake/source=sensors' },
      ],
      lake: 'lake',
    },
    path.join(dir, 'portbrief.yaml'),
  );
}

describe('importToLake', () => {
  it('writes one parquet file per ISO week', async () => {
    const dir = tempDir();
    // Saturday 2025-02-15 00:00 to Monday 2025-02-17 23:00: 48 hours in W07, 24 in W08.
    writeFileSync(path.join(dir, 'a.csv'), `ts,src,dport,proto\n${sessions('2025-02-15T00:00:00Z', 72, 22)}\nnot-a-time,203.0.113.1,22,tcp\n`);

    const result = await importToLake(lakeConfig(dir, 'a.csv'), { now: NOW, log: silentLogger() });

    expect(result.weeks.map((week) => [week.source, week.week, week.sessions])).toEqual([
      ['sensors', '2025-W07', 48],
      ['sensors', '2025-W08', 24],
    ]);
    expect(result.weeks[0].file).toBe(path.join(dir, 'lake', 'source=sensors', 'week=2025-W07', 'data.parquet'));
    // The rejected row stays in the import's accounting and out of the lake.
    expect(result.archive.totals).toEqual({ rowsRead: 73, accepted: 72, rejected: 1 });
    // No temporary file is left next to the week.
    expect(readdirSync(path.dirname(result.weeks[0].file))).toEqual(['data.parquet']);
  });

  it('replaces rows of re-imported files', async () => {
    const dir = tempDir();
    // Two log files that share ISO week 2025-W08, as logs rotated on Sunday do.
    writeFileSync(path.join(dir, 'week-1.csv'), `ts,src,dport,proto\n${sessions('2025-02-16T00:00:00Z', 10, 22)}\n`);
    writeFileSync(path.join(dir, 'week-2.csv'), `ts,src,dport,proto\n${sessions('2025-02-17T00:00:00Z', 5, 23)}\n`);

    await importToLake(lakeConfig(dir, 'week-1.csv'), { now: NOW, log: silentLogger() });
    const second = await importToLake(lakeConfig(dir, 'week-2.csv'), { now: NOW, log: silentLogger() });
    const again = await importToLake(lakeConfig(dir, 'week-2.csv'), { now: NOW, log: silentLogger() });

    // week-1 has 10 hours on Sunday 2025-02-16 (W07); week-2 has 5 on Monday (W08).
    expect(second.weeks.map((week) => [week.week, week.sessions])).toEqual([['2025-W08', 5]]);
    expect(again.weeks.map((week) => [week.week, week.sessions])).toEqual([['2025-W08', 5]]);

    writeFileSync(path.join(dir, 'week-1.csv'), `ts,src,dport,proto\n${sessions('2025-02-16T20:00:00Z', 8, 22)}\n`);
    const rewritten = await importToLake(lakeConfig(dir, 'week-1.csv'), { now: NOW, log: silentLogger() });
    // 4 hours of Sunday stay in W07 and 4 spill into Monday, joining week-2's 5 rows.
    expect(rewritten.weeks.map((week) => [week.week, week.sessions])).toEqual([
      ['2025-W07', 4],
      ['2025-W08', 9],
    ]);
  });

  it('reads the lake back as a source', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'a.csv'), `ts,src,dport,proto\n${sessions('2025-02-15T00:00:00Z', 72, 22)}\n`);
    const config = lakeConfig(dir, 'a.csv');
    await importToLake(config, { now: NOW, log: silentLogger() });

    const db = await Database.open();
    try {
      const archive = await loadArchive(db, config, NOW, silentLogger(), { only: ['from-lake'] });
      expect(archive.sources[0].format).toBe('lake');
      expect(archive.totals).toEqual({ rowsRead: 72, accepted: 72, rejected: 0 });
      expect(archive.weeks).toEqual([
        { week: '2025-W07', sessions: 48 },
        { week: '2025-W08', sessions: 24 },
      ]);
      const [first] = await db.query(`SELECT strftime(ts, '%Y-%m-%d %H:%M:%S') AS ts, src_ip, dst_port::INTEGER AS dst_port, proto, sensor FROM sessions_all ORDER BY ts LIMIT 1`);
      expect(first).toEqual({ ts: '2025-02-15 00:00:00', src_ip: '203.0.113.0', dst_port: 22, proto: 'tcp', sensor: 'sensors' });
    } finally {
      db.close();
    }
  });

  it("gives each client its own sensors' sessions from the lake's sensor column", async () => {
    const dir = tempDir();
    const rows = (sensor: string, hours: number, port: number) => sessions('2025-02-17T00:00:00Z', hours, port).replaceAll('\n', `,${sensor}\n`) + `,${sensor}`;
    writeFileSync(path.join(dir, 'a.csv'), `ts,src,dport,proto,sensor\n${rows('trap-1', 30, 22)}\n${rows('trap-2', 12, 23)}\n`);
    const csv = { name: 'sensors', format: 'csv', path: 'a.csv', fields: { time: 'ts', srcIp: 'src', dstPort: 'dport', proto: 'proto', sensor: 'sensor' } };
    await importToLake(validateConfig({ sources: [csv], lake: 'lake' }, path.join(dir, 'portbrief.yaml')), { now: NOW, log: silentLogger() });

    // The sensors come from the lake's own column, which the config does not map.
    const config = validateConfig(
      {
        sources: [{ name: 'lake', format: 'lake', path: 'lake/source=sensors' }],
        clients: [
          { id: 'one', name: 'One', sensors: ['trap-1'] },
          { id: 'two', name: 'Two', sensors: ['trap-2'] },
        ],
      },
      path.join(dir, 'portbrief.yaml'),
    );
    const result = await runWeekly({ config, week: '2025-W08', now: NOW, log: silentLogger(), printer: printer(), dryRun: true });

    expect(result.exitCode).toBe(EXIT.ok);
    expect(result.clients.map((client) => [client.client, client.brief.weekTotals.sessions])).toEqual([
      ['one', 30],
      ['two', 12],
    ]);
  });

  it('names a source that is not in the config', async () => {
    const dir = tempDir();
    await expect(importToLake(lakeConfig(dir, 'a.csv'), { sourceName: 'other', now: NOW, log: silentLogger() })).rejects.toThrow(
      '--source other: no source has that name in',
    );
  });

  it('rejects importing the lake into itself', async () => {
    const dir = tempDir();
    await expect(importToLake(lakeConfig(dir, 'a.csv'), { sourceName: 'from-lake', now: NOW, log: silentLogger() })).rejects.toThrow(
      '--source from-lake: the source already reads the lake.',
    );
  });

  it('names an empty lake folder', async () => {
    const dir = tempDir();
    const db = await Database.open();
    try {
      await expect(loadArchive(db, lakeConfig(dir, 'a.csv'), NOW, silentLogger(), { only: ['from-lake'] })).rejects.toThrow(
        `sources[1].path: the lake folder ${path.join(dir, 'lake', 'source=sensors')} has no weeks (week=*/data.parquet). Run portbrief import for that source first`,
      );
    } finally {
      db.close();
    }
    expect(existsSync(path.join(dir, 'lake'))).toBe(false);
  });
});
