import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { MIN_AVERAGE_FILE_BYTES } from '../../src/archive/formats/time-span.js';
import { type ArchiveLoad, loadArchive } from '../../src/archive/load.js';
import { type Config, validateConfig } from '../../src/config/load.js';
import { Database, type Row, sqlString } from '../../src/db.js';
import { silentLogger } from '../../src/log.js';
import { MARX_CSV, SKIP_REASON, hasSharedData, sharedFile } from '../helpers/shared-data.js';
import { tempDir } from '../helpers/temp.js';

const NOW = new Date('2026-12-04T12:00:00Z');
const dir = tempDir();

/**
 * Per file, sensor, week, address, port, protocol and outcome: the sessions
 * and the earliest and latest time. Addresses are compared by key, or by text where they have
 * none, because the grouped load keeps the text as written.
 */
const SUMMARY = `
  SELECT file, sensor, strftime(date_trunc('week', ts), '%Y-%m-%d') AS week, coalesce(ip_key::VARCHAR, src_ip) AS address, dst_port::INTEGER AS port, proto,
         coalesce(reject_reason, '') AS reason, sum(sessions)::INTEGER AS sessions, strftime(min(ts), '%Y-%m-%d %H:%M:%S.%f') AS first,
         strftime(max(last_ts), '%Y-%m-%d %H:%M:%S.%f') AS last
  FROM sessions_all
  GROUP BY ALL
  ORDER BY ALL`;

/** Loads the archive row by row and grouped, each into its own database. */
async function bothWays(config: Config): Promise<Array<{ load: ArchiveLoad; summary: Row[]; tableRows: number }>> {
  const results = [];
  for (const grouped of [false, true]) {
    const db = await Database.open();
    try {
      const load = await loadArchive(db, config, NOW, silentLogger(), { grouped });
      const summary = await db.query(SUMMARY);
      const [count] = await db.query('SELECT count(*)::INTEGER AS n FROM sessions_all');
      results.push({ load, summary, tableRows: Number(count.n) });
    } finally {
      db.close();
    }
  }
  return results;
}

describe('grouped archive load', () => {
  const file = path.join(dir, 'edges.csv');
  writeFileSync(
    file,
    [
      'ts,src,dport,proto',
      '2025-02-17 10:00:00,203.0.113.9,22,tcp', // accepted
      '2025-02-18 11:00:00,203.0.113.9,22,tcp', // accepted, same group as the first
      '2025-02-19 12:00:00,203.0.113.9,22,tcp', // accepted, same group again
      '1970-01-01T00:00:00Z,198.51.100.1,0,tcp', // placeholder record: epoch zero, port 0
      '1970-01-01T00:00:01Z,198.51.100.1,0,tcp', // implausible time, same week as the placeholder
      '2026-12-05T11:00:00Z,198.51.100.2,22,tcp', // accepted: within a day after now
      '2026-12-05T13:00:00Z,198.51.100.2,22,tcp', // implausible time: more than a day after now, same week
      '1989-12-31T23:59:59Z,198.51.100.3,80,tcp', // implausible time: before 1990
      '1990-01-01T00:00:00Z,198.51.100.3,80,tcp', // accepted: 1990 starts on a Monday
      '',
    ].join('\n'),
  );
  const config = validateConfig(
    { sources: [{ name: 'edges', format: 'csv', path: file, fields: { time: 'ts', srcIp: 'src', dstPort: 'dport', proto: 'proto' } }] },
    path.join(dir, 'portbrief.yaml'),
  );

  it('rejects grouped rows as single rows', async () => {
    const [rows, groups] = await bothWays(config);

    expect(groups.load.files[0].reasons).toEqual({ 'placeholder record': 1, 'implausible time': 3 });
    expect(groups.load.files).toEqual(rows.load.files);
    expect(groups.load.weeks).toEqual(rows.load.weeks);
    expect(groups.summary).toEqual(rows.summary);
  });

  it('keeps one row per group', async () => {
    const [rows, groups] = await bothWays(config);

    expect(rows.tableRows).toBe(9);
    expect(groups.tableRows).toBe(7);
  });
});

describe('grouped archive load of typed parquet times', () => {
  // The same edges as typed timestamps, split over two files, plus a missing
  // time, an invalid address and an ICMP row with a code in the port column.
  const rows = [
    ['2025-02-17 10:00:00+00', '203.0.113.9', 22, 'tcp', 'a'],
    ['2025-02-18 11:00:00+00', '203.0.113.9', 22, 'tcp', 'a'],
    ['2025-02-19 12:00:00+00', '203.0.113.9', 22, 'tcp', 'b'],
    ['1970-01-01 00:00:00+00', '198.51.100.1', 0, 'tcp', 'a'],
    ['1970-01-01 00:00:01+00', '198.51.100.1', 0, 'tcp', 'a'],
    ['2026-12-05 11:00:00+00', '198.51.100.2', 22, 'tcp', 'a'],
    ['2026-12-05 13:00:00+00', '198.51.100.2', 22, 'tcp', 'a'],
    ['1989-12-31 23:59:59+00', '198.51.100.3', 80, 'tcp', 'a'],
    ['1990-01-01 00:00:00+00', '198.51.100.3', 80, 'tcp', 'a'],
    [null, '198.51.100.4', 22, 'tcp', 'a'],
    [null, '198.51.100.4', 22, 'tcp', 'a'],
    ['2025-02-17 10:00:00+00', 'not-an-address', 22, 'tcp', 'a'],
    ['2025-02-17 10:00:00+00', '198.51.100.5', 3, 'icmp', 'a'],
  ] as const;
  const files = [path.join(dir, 'first.parquet'), path.join(dir, 'second.parquet')];

  beforeAll(async () => {
    const db = await Database.open();
    try {
      for (const [index, file] of files.entries()) {
        const values = rows
          .filter((_, i) => (i < 7 ? 0 : 1) === index)
          .map(([time, ip, port, proto, sensor]) => `(${time === null ? 'NULL' : sqlString(time)}::TIMESTAMPTZ, ${sqlString(ip)}, ${port}::USMALLINT, ${sqlString(proto)}, ${sqlString(sensor)})`);
        await db.run(`COPY (SELECT * FROM (VALUES ${values.join(', ')}) AS t(ts, src_ip, dst_port, proto, sensor)) TO ${sqlString(file)} (FORMAT parquet)`);
      }
    } finally {
      db.close();
    }
  });

  it('rejects grouped rows as single rows', async () => {
    const config = validateConfig(
      { sources: [{ name: 'lake', format: 'parquet', path: path.join(dir, '*.parquet'), fields: { time: 'ts', srcIp: 'src_ip', dstPort: 'dst_port', proto: 'proto', sensor: 'sensor' } }] },
      path.join(dir, 'portbrief.yaml'),
    );

    const [single, groups] = await bothWays(config);

    const reasons: Record<string, number> = {};
    for (const file of groups.load.files) for (const [reason, count] of Object.entries(file.reasons)) reasons[reason] = (reasons[reason] ?? 0) + count;
    expect(reasons).toEqual({ 'placeholder record': 1, 'implausible time': 3, 'missing time': 2, 'invalid source IP': 1 });
    expect(groups.load.files.map((file) => file.accepted)).toEqual([4, 2]);
    expect(groups.load.files).toEqual(single.load.files);
    expect(groups.load.weeks).toEqual(single.load.weeks);
    expect(groups.load.sensors).toEqual(['a', 'b']);
    expect(groups.summary).toEqual(single.summary);
    expect(single.tableRows).toBe(13);
    expect(groups.tableRows).toBe(11);
  });
});

describe('grouped archive load of parquet files with and without edge times', () => {
  const PADDING = 500_000;

  /**
   * Writes the rows as parquet files in a folder of their own, one file per
   * entry of `files`, and a last file of PADDING sessions from 192.0.2.7 to
   * port 443, one a second from 2025-02-24 (week 2025-W09). The padding makes
   * the files average at least the size from which their statistics are read.
   */
  async function writeParquetFolder(name: string, files: Array<Array<[string, string, number]>>): Promise<Config> {
    const folder = path.join(dir, name);
    mkdirSync(folder, { recursive: true });
    const db = await Database.open();
    try {
      for (const [index, rows] of files.entries()) {
        const values = rows.map(([time, ip, port]) => `(${sqlString(time)}::TIMESTAMPTZ, ${sqlString(ip)}, ${port}::USMALLINT, 'tcp')`);
        await db.run(`COPY (SELECT * FROM (VALUES ${values.join(', ')}) AS t(ts, src_ip, dst_port, proto)) TO ${sqlString(path.join(folder, `${index}.parquet`))} (FORMAT parquet)`);
      }
      const padding = path.join(folder, `${files.length}.parquet`);
      await db.run(
        `COPY (SELECT TIMESTAMPTZ '2025-02-24 00:00:00+00' + to_seconds(i) AS ts, '192.0.2.7' AS src_ip, 443::USMALLINT AS dst_port, 'tcp' AS proto FROM range(${PADDING}) AS t(i))
         TO ${sqlString(padding)} (FORMAT parquet, COMPRESSION uncompressed)`,
      );
      expect(statSync(padding).size).toBeGreaterThan(MIN_AVERAGE_FILE_BYTES * (files.length + 1));
    } finally {
      db.close();
    }
    return validateConfig(
      { sources: [{ name, format: 'parquet', path: path.join(folder, '*.parquet'), fields: { time: 'ts', srcIp: 'src_ip', dstPort: 'dst_port', proto: 'proto' } }] },
      path.join(dir, 'portbrief.yaml'),
    );
  }

  it('merges groups without edge times', async () => {
    const config = await writeParquetFolder('clean', [
      [['2025-02-17 10:00:00+00', '203.0.113.9', 22], ['2025-02-18 11:00:00+00', '203.0.113.9', 22]],
      [['2025-02-19 12:00:00+00', '203.0.113.9', 22], ['2025-02-24 09:00:00+00', '203.0.113.9', 22]],
    ]);

    const [single, groups] = await bothWays(config);

    expect(groups.load.sources[0].timeSpan).toEqual({ first: new Date('2025-02-17T10:00:00Z'), last: new Date(Date.parse('2025-02-24T00:00:00Z') + (PADDING - 1) * 1000) });
    expect(groups.load.files.map((file) => [file.accepted, file.reasons])).toEqual([[2, {}], [2, {}], [PADDING, {}]]);
    expect(groups.summary).toEqual(single.summary);
    // One group per file and week: the first file's two rows, the second file's two weeks, the padding.
    expect(groups.tableRows).toBe(4);
  });

  it('splits at edge times in a later file', async () => {
    const config = await writeParquetFolder('edges-later', [
      [['2025-02-17 10:00:00+00', '203.0.113.9', 22]],
      [
        ['2026-12-05 11:00:00+00', '198.51.100.2', 22], // accepted: within a day after now
        ['2026-12-05 13:00:00+00', '198.51.100.2', 22], // implausible time, same group otherwise
        ['1970-01-01 00:00:00+00', '198.51.100.1', 0], // placeholder record
        ['1970-01-01 00:00:01+00', '198.51.100.1', 0], // implausible time, same group otherwise
      ],
    ]);

    const [single, groups] = await bothWays(config);

    expect(groups.load.sources[0].timeSpan).toEqual({ first: new Date('1970-01-01T00:00:00Z'), last: new Date('2026-12-05T13:00:00Z') });
    expect(groups.load.files.map((file) => [file.accepted, file.reasons])).toEqual([[1, {}], [1, { 'placeholder record': 1, 'implausible time': 2 }], [PADDING, {}]]);
    expect(groups.load.files).toEqual(single.load.files);
    expect(groups.summary).toEqual(single.summary);
    expect(groups.tableRows).toBe(6);
  });
});

describe.skipIf(!hasSharedData)(`grouped archive load of real archives (${SKIP_REASON})`, () => {
  it('matches the row-by-row load', async () => {
    const config = validateConfig(
      {
        sources: [
          { name: 'marx', format: 'csv', path: MARX_CSV, fields: { time: 'datetime', srcIp: 'src', dstPort: 'dpt', proto: 'proto', sensor: 'host' } },
          { name: 'ufw', format: 'syslog-ufw', path: sharedFile('ufw-vps-2024', '*.log.gz'), yearFrom: '_(\\d{4})-' },
          { name: 'dionaea', format: 'json', path: sharedFile('uqo-tpot-2025', 'dioneae_20k.json.gz'), fields: { time: 'timestamp', srcIp: 'src_ip', dstPort: 'dst_port', proto: 'connection.transport' } },
        ],
      },
      path.join(dir, 'portbrief.yaml'),
    );

    const [rows, groups] = await bothWays(config);

    expect(groups.load.totals).toEqual(rows.load.totals);
    expect(groups.load.files).toEqual(rows.load.files);
    expect(groups.load.weeks).toEqual(rows.load.weeks);
    expect(groups.load.sensors).toEqual(rows.load.sensors);
    expect(groups.summary).toEqual(rows.summary);
    expect(groups.tableRows).toBeLessThan(rows.tableRows);
  }, 120_000);
});
