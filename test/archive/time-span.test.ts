import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkSource } from '../../src/archive/check.js';
import { timeChecksRuledOut } from '../../src/archive/formats/sql.js';
import { MIN_AVERAGE_FILE_BYTES, parquetTimeSpan } from '../../src/archive/formats/time-span.js';
import { WorkDir, resolveSource } from '../../src/archive/resolve.js';
import { type Config, validateConfig } from '../../src/config/load.js';
import { Database, sqlString } from '../../src/db.js';
import { silentLogger } from '../../src/log.js';
import { tempDir } from '../helpers/temp.js';

const dir = tempDir();
const NOW = new Date('2026-12-04T12:00:00Z');

/** Writes one parquet file of the given SELECT. */
async function writeParquet(file: string, select: string): Promise<void> {
  mkdirSync(path.dirname(file), { recursive: true });
  const db = await Database.open();
  try {
    await db.run(`COPY (${select}) TO ${sqlString(file)} (FORMAT parquet)`);
  } finally {
    db.close();
  }
}

/** Resolves and checks the config's only source, then reads its time span. The size floor defaults to none, as the files here are small. */
async function spanOf(config: Config, minAverageBytes = 0) {
  const db = await Database.open();
  try {
    // Parquet files are read in place, so the work folder for damaged gzip copies stays unused.
    const source = await resolveSource(config, 0, silentLogger(), new WorkDir());
    await checkSource(db, config, source);
    return await parquetTimeSpan(db, source, minAverageBytes);
  } finally {
    db.close();
  }
}

/** Returns a config whose only source is the parquet file or pattern `file`, with times in ts. */
function parquetSource(file: string): Config {
  return validateConfig(
    { sources: [{ name: 'sensors', format: 'parquet', path: file, fields: { time: 'ts', srcIp: 'src_ip', dstPort: 'dst_port' } }] },
    path.join(dir, 'portbrief.yaml'),
  );
}

/** Returns a config whose only source is a lake folder of week=YYYY-Www/data.parquet files, as portbrief import writes it. */
function lakeSource(folder: string): Config {
  return validateConfig({ sources: [{ name: 'sensors', format: 'lake', path: folder }] }, path.join(dir, 'portbrief.yaml'));
}

describe('time span from parquet statistics', () => {
  const zoned = path.join(dir, 'zoned');
  const zoneless = path.join(dir, 'zoneless.parquet');
  const emptyGroup = path.join(dir, 'empty-group');
  const textTimes = path.join(dir, 'text-times.parquet');
  const lake = path.join(dir, 'lake');

  beforeAll(async () => {
    const rows = `SELECT * FROM (VALUES ('2025-02-18 11:00:00+00', '203.0.113.9', 22), ('2025-02-17 10:00:00+00', '203.0.113.9', 22), ('2025-02-23 23:59:59+00', '198.51.100.1', 80)) AS t(ts, src_ip, dst_port)`;
    // Split over two files, so the span spans both files' row groups.
    await writeParquet(path.join(zoned, 'a.parquet'), `SELECT ts::TIMESTAMPTZ AS ts, src_ip, dst_port FROM (${rows}) WHERE dst_port = 22`);
    await writeParquet(path.join(zoned, 'b.parquet'), `SELECT ts::TIMESTAMPTZ AS ts, src_ip, dst_port FROM (${rows}) WHERE dst_port = 80`);
    await writeParquet(zoneless, `SELECT replace(ts, '+00', '')::TIMESTAMP AS ts, src_ip, dst_port FROM (${rows})`);
    // The second file contains only missing times, so its row group has no minimum or maximum.
    await writeParquet(path.join(emptyGroup, 'a.parquet'), `SELECT TIMESTAMPTZ '2025-02-17 10:00:00+00' AS ts, '203.0.113.9' AS src_ip, 22 AS dst_port`);
    await writeParquet(path.join(emptyGroup, 'b.parquet'), `SELECT NULL::TIMESTAMPTZ AS ts, '203.0.113.9' AS src_ip, 22 AS dst_port`);
    await writeParquet(textTimes, `SELECT ts, src_ip, dst_port FROM (${rows})`);
    for (const [week, time] of [['2025-W08', '2025-02-17 10:00:00+00'], ['2025-W09', '2025-02-25 08:30:00+00']]) {
      await writeParquet(
        path.join(lake, `week=${week}`, 'data.parquet'),
        `SELECT TIMESTAMPTZ '${time}' AS ts, '203.0.113.9' AS src_ip, 22::USMALLINT AS dst_port, 'tcp' AS proto, 'edge-1' AS sensor`,
      );
    }
  });

  it('spans every row group of every file', async () => {
    expect(await spanOf(parquetSource(path.join(zoned, '*.parquet')))).toEqual({ first: new Date('2025-02-17T10:00:00Z'), last: new Date('2025-02-23T23:59:59Z') });
  });

  it('reads zone-less times as UTC', async () => {
    expect(await spanOf(parquetSource(zoneless))).toEqual({ first: new Date('2025-02-17T10:00:00Z'), last: new Date('2025-02-23T23:59:59Z') });
  });

  it('spans the weeks of a lake', async () => {
    expect(await spanOf(lakeSource(lake))).toEqual({ first: new Date('2025-02-17T10:00:00Z'), last: new Date('2025-02-25T08:30:00Z') });
  });

  it('unknown without statistics', async () => {
    expect(await spanOf(parquetSource(path.join(emptyGroup, '*.parquet')))).toBeUndefined();
  });

  it('unknown for small files', async () => {
    expect(await spanOf(parquetSource(path.join(zoned, '*.parquet')), MIN_AVERAGE_FILE_BYTES)).toBeUndefined();
  });

  it('unknown for text times', async () => {
    expect(await spanOf(parquetSource(textTimes))).toBeUndefined();
  });
});

describe('time checks ruled out by a span', () => {
  const day = 86_400_000;
  const span = (first: string, last: string) => ({ first: new Date(first), last: new Date(last) });

  it('rules out checks for clear span', () => {
    expect(timeChecksRuledOut(span('2025-01-06T00:00:00Z', '2026-12-04T12:00:00Z'), NOW)).toBe(true);
  });

  it('keeps checks for unknown span', () => {
    expect(timeChecksRuledOut(undefined, NOW)).toBe(false);
  });

  it('keeps checks within a day of epoch zero', () => {
    expect(timeChecksRuledOut({ first: new Date(day), last: new Date('2025-01-06T00:00:00Z') }, NOW)).toBe(false);
  });

  it('keeps checks for times after now', () => {
    expect(timeChecksRuledOut(span('2025-01-06T00:00:00Z', '2026-12-04T12:00:00.001Z'), NOW)).toBe(false);
  });
});
