import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadArchive, MALFORMED_CSV_LINE } from '../../src/archive/load.js';
import { validateConfig } from '../../src/config/load.js';
import { Database } from '../../src/db.js';
import { silentLogger } from '../../src/log.js';
import { MARX_CSV, SKIP_REASON, hasSharedData } from '../helpers/shared-data.js';
import { tempDir } from '../helpers/temp.js';

const NOW = new Date('2026-12-04T12:00:00Z');
const dir = tempDir();

let db: Database;
beforeEach(async () => {
  db = await Database.open();
});
afterEach(() => db.close());

function csvConfig(file: string, extra: Record<string, unknown> = {}) {
  return validateConfig(
    {
      sources: [{ name: 'sensors', format: 'csv', path: file, fields: { time: 'ts', srcIp: 'src', dstPort: 'dport', proto: 'proto' }, ...extra }],
    },
    path.join(dir, 'portbrief.yaml'),
  );
}

describe('loadArchive on CSV', () => {
  const file = path.join(dir, 'mixed.csv');
  writeFileSync(
    file,
    [
      'ts,src,dport,proto',
      '2025-02-17 10:00:00,203.0.113.9,22,tcp', // accepted
      '2025-02-17T10:00:01Z,1032051418,1433,TCP', // accepted: integer address
      '2025-02-17T10:00:02+02:00,2001:db8::5,443,6', // accepted: IPv6, protocol number
      '2025-02-17 10:00:03,198.51.100.7,,ICMP', // accepted: no port for ICMP
      '2025-02-17 10:00:04,198.51.100.7,,tcp', // missing port
      'yesterday,198.51.100.8,80,tcp', // unparseable time
      '1970-01-01T00:00:00Z,0.0.0.0,0,tcp', // placeholder
      '1985-05-05 00:00:00,198.51.100.9,80,tcp', // implausible time
      '2025-02-17 10:00:05,300.1.1.1,80,tcp', // invalid source IP
      '2025-02-17 10:00:06,198.51.100.10,70000,tcp', // port out of range
      '2025-02-17 10:00:07,198.51.100.11,22/tcp,tcp', // invalid port
      '2025-02-17 10:00:08,0.0.0.0,80,tcp', // unspecified source IP
      '2025-02-17 10:00:09,198.51.100.12,80', // malformed: a column short
      '2025-02-17 10:00:10,,80,tcp', // missing source IP
      '',
    ].join('\n'),
  );

  it('accounts for every row with a reason', async () => {
    const result = await loadArchive(db, csvConfig('mixed.csv'), NOW, silentLogger());

    expect(result.files).toHaveLength(1);
    const [quality] = result.files;
    expect(quality.file).toBe('mixed.csv');
    expect(quality.rowsRead).toBe(14);
    expect(quality.accepted).toBe(4);
    expect(quality.rejected).toBe(10);
    expect(quality.rowsRead).toBe(quality.accepted + quality.rejected);
    expect(quality.reasons).toEqual({
      'missing port': 1,
      'unparseable time': 1,
      'placeholder record': 1,
      'implausible time': 1,
      'invalid source IP': 1,
      'port out of range': 1,
      'invalid port': 1,
      'unspecified source IP': 1,
      [MALFORMED_CSV_LINE]: 1,
      'missing source IP': 1,
    });
    expect(result.totals).toEqual({ rowsRead: 14, accepted: 4, rejected: 10 });
    expect(result.weeks).toEqual([{ week: '2025-W08', sessions: 4 }]);
  });

  it('writes accepted rows in the canonical schema', async () => {
    await loadArchive(db, csvConfig('mixed.csv'), NOW, silentLogger());
    const rows = await db.query(
      `SELECT strftime(ts, '%Y-%m-%d %H:%M:%S') AS ts, src_ip, dst_port::INTEGER AS dst_port, proto, sensor
       FROM sessions_all WHERE reject_reason IS NULL ORDER BY ts`,
    );
    expect(rows).toEqual([
      { ts: '2025-02-17 08:00:02', src_ip: '2001:db8:0:0:0:0:0:5', dst_port: 443, proto: 'tcp', sensor: 'sensors' },
      { ts: '2025-02-17 10:00:00', src_ip: '203.0.113.9', dst_port: 22, proto: 'tcp', sensor: 'sensors' },
      { ts: '2025-02-17 10:00:01', src_ip: '61.131.218.218', dst_port: 1433, proto: 'tcp', sensor: 'sensors' },
      { ts: '2025-02-17 10:00:03', src_ip: '198.51.100.7', dst_port: null, proto: 'icmp', sensor: 'sensors' },
    ]);
  });

  it('reads zone-less times in the source zone', async () => {
    await loadArchive(db, csvConfig('mixed.csv', { timezone: 'America/New_York' }), NOW, silentLogger());
    const rows = await db.query(`SELECT strftime(ts, '%H:%M:%S') AS ts FROM sessions_all WHERE src_ip = '203.0.113.9'`);
    expect(rows).toEqual([{ ts: '15:00:00' }]);
  });

  it('parses an explicit time format', async () => {
    const file = path.join(dir, 'argus.csv');
    writeFileSync(file, 'ts,src,dport,proto\n2019/04/04 16:23:01.123456,203.0.113.1,  80 ,tcp\n2019/04/04 16:23,203.0.113.1,80,tcp\n');
    const result = await loadArchive(db, csvConfig('argus.csv', { timeFormat: '%Y/%m/%d %H:%M:%S.%f' }), NOW, silentLogger());
    expect(result.files[0].accepted).toBe(1);
    expect(result.files[0].reasons).toEqual({ 'unparseable time': 1 });
  });
});

describe('loadArchive on parquet', () => {
  it('reads typed columns from every file of a glob', async () => {
    await db.run(`COPY (SELECT TIMESTAMPTZ '2025-02-18 01:02:03+00' AS t, 1032051418::UBIGINT AS ip, 445::INTEGER AS port) TO '${path.join(dir, 'lake-a.parquet')}' (FORMAT parquet)`);
    await db.run(`COPY (SELECT TIMESTAMP '2025-02-19 01:02:03' AS t, 'x'::VARCHAR AS ip, 80::INTEGER AS port) TO '${path.join(dir, 'lake-b.parquet')}' (FORMAT parquet)`);
    const config = validateConfig(
      { sources: [{ name: 'lake', format: 'parquet', path: 'lake-*.parquet', proto: 'tcp', fields: { time: 't', srcIp: 'ip', dstPort: 'port' } }] },
      path.join(dir, 'portbrief.yaml'),
    );

    const result = await loadArchive(db, config, NOW, silentLogger());

    expect(result.files.map((f) => [f.file, f.accepted, f.rejected])).toEqual([
      ['lake-a.parquet', 1, 0],
      ['lake-b.parquet', 0, 1],
    ]);
    expect(result.files[1].reasons).toEqual({ 'invalid source IP': 1 });
  });
});

describe('loadArchive errors', () => {
  it('names a missing file and the key that points at it', async () => {
    await expect(loadArchive(db, csvConfig('absent.csv'), NOW, silentLogger())).rejects.toThrow(
      /portbrief\.yaml: sources\[0\]\.path: archive file .*absent\.csv is not found/,
    );
  });

  it('names a glob that matches nothing', async () => {
    await expect(loadArchive(db, csvConfig('nothing-*.csv'), NOW, silentLogger())).rejects.toThrow(
      "sources[0].path: no file matches 'nothing-*.csv'",
    );
  });

  it('names a mapped column the file lacks and lists those it has', async () => {
    const file = path.join(dir, 'other.csv');
    writeFileSync(file, 'time,source,port\n2025-02-17 10:00:00,203.0.113.9,22\n');
    await expect(loadArchive(db, csvConfig('other.csv'), NOW, silentLogger())).rejects.toThrow(
      /sources\[0\]\.fields\.time: column 'ts' not found in .*other\.csv; its columns are time, source, port\./,
    );
  });
});

describe.skipIf(!hasSharedData)(`loadArchive on the marx honeypot archive (${SKIP_REASON})`, () => {
  it('accepts all 451,581 rows over 28 ISO weeks', async () => {
    const config = validateConfig(
      { sources: [{ name: 'marx', format: 'csv', path: MARX_CSV, fields: { time: 'datetime', srcIp: 'src', dstPort: 'dpt', proto: 'proto', sensor: 'host' } }] },
      path.join(dir, 'portbrief.yaml'),
    );

    const result = await loadArchive(db, config, NOW, silentLogger());

    expect(result.totals).toEqual({ rowsRead: 451_581, accepted: 451_581, rejected: 0 });
    expect(result.weeks).toHaveLength(28);
    expect(result.weeks[0]).toEqual({ week: '2013-W09', sessions: 117 });
    const protocols = await db.query(`SELECT proto, count(*)::INTEGER AS n, count(dst_port)::INTEGER AS with_port FROM sessions_all GROUP BY ALL ORDER BY proto`);
    expect(protocols).toEqual([
      { proto: 'icmp', n: 44_811, with_port: 0 },
      { proto: 'tcp', n: 327_991, with_port: 327_991 },
      { proto: 'udp', n: 78_779, with_port: 78_779 },
    ]);
    const sensors = await db.query(`SELECT count(DISTINCT sensor)::INTEGER AS n, count(DISTINCT ip_key)::INTEGER AS sources FROM sessions_all`);
    expect(sensors).toEqual([{ n: 9, sources: 69_602 }]);
    // The earliest and latest datetime values of the CSV, read as UTC.
    const span = await db.query(`SELECT strftime(min(ts), '%Y-%m-%d %H:%M:%S') AS first, strftime(max(ts), '%Y-%m-%d %H:%M:%S') AS last FROM sessions_all`);
    expect(span).toEqual([{ first: '2013-03-03 21:53:59', last: '2013-09-08 05:55:13' }]);
  });
});
