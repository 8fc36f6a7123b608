import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Brief } from '../../src/brief.js';
import { INVALID_UTF8, LINE_TOO_LONG, MALFORMED_CSV_LINE, MAX_LINE_BYTES, loadArchive } from '../../src/archive/load.js';
import { loadConfig, validateConfig } from '../../src/config/load.js';
import { Database } from '../../src/db.js';
import { EXIT, PortbriefError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import { runWeekly } from '../../src/weekly.js';
import { pdfText } from '../helpers/pdf-text.js';
import { printerForFile } from '../helpers/printer.js';
import { csvSourceConfig } from '../helpers/csv-source.js';
import { tempDir } from '../helpers/temp.js';
import { freshStateDir } from '../helpers/two-clients.js';

const NOW = new Date('2026-12-04T12:00:00Z');
const HEADER = 'ts,src,dport,proto';
const dir = tempDir();

let db: Database;
beforeEach(async () => {
  db = await Database.open();
});
afterEach(() => db.close());

function configOf(name: string, format = 'csv') {
  return validateConfig(
    { sources: [{ name: 'sensors', format, path: name, fields: { time: 'ts', srcIp: 'src', dstPort: 'dport', proto: 'proto' } }] },
    path.join(dir, 'portbrief.yaml'),
  );
}

/** Writes `content` to `name` in the test folder and loads it as the only source. */
async function load(name: string, content: string | Buffer, format = 'csv') {
  writeFileSync(path.join(dir, name), content);
  const result = await loadArchive(db, configOf(name, format), NOW, silentLogger());
  const [quality] = result.files;
  expect(quality.rowsRead).toBe(quality.accepted + quality.rejected);
  return { result, quality };
}

/** Writes `content` to `name` unless undefined (the file exists already), and returns the error of loading it. */
async function loadError(name: string, content: string | Buffer | undefined, format = 'csv'): Promise<PortbriefError> {
  if (content !== undefined) writeFileSync(path.join(dir, name), content);
  const error = await loadArchive(db, configOf(name, format), NOW, silentLogger()).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(PortbriefError);
  return error as PortbriefError;
}

async function acceptedPorts(): Promise<number[]> {
  const rows = await db.query('SELECT dst_port FROM sessions_all WHERE reject_reason IS NULL ORDER BY dst_port');
  return rows.map((row) => Number(row.dst_port));
}

describe('archive input faults', () => {
  it('names an empty CSV file', async () => {
    const error = await loadError('empty.csv', '');
    expect(error.message).toBe(`${path.join(dir, 'portbrief.yaml')}: sources[0].path: archive file ${path.join(dir, 'empty.csv')} is empty. Remove it or wait until it is written.`);
    expect(error.exitCode).toBe(EXIT.usage);
  });

  it('reads a header-only CSV as no rows', async () => {
    const { result, quality } = await load('header-only.csv', `${HEADER}\n`);
    expect(quality).toMatchObject({ file: 'header-only.csv', rowsRead: 0, accepted: 0, rejected: 0, reasons: {} });
    expect(result.weeks).toEqual([]);
  });

  it('rejects a text port after the sniffing sample', async () => {
    const lines = [HEADER, ...Array.from({ length: 30_000 }, () => '2025-02-17 10:00:00,198.51.100.7,22,tcp'), '2025-02-17 10:00:00,198.51.100.7,ssh,tcp'];
    const { quality } = await load('type-change.csv', `${lines.join('\n')}\n`);
    expect(quality).toMatchObject({ rowsRead: 30_001, accepted: 30_000, rejected: 1, reasons: { 'invalid port': 1 } });
  });

  it('reads a byte order mark and CRLF', async () => {
    const { quality } = await load('bom-crlf.csv', `\ufeff${HEADER}\r\n2025-02-17 10:00:00,198.51.100.7,22,tcp\r\n2025-02-17 10:00:01,198.51.100.8,23,tcp\r\n`);
    expect(quality).toMatchObject({ rowsRead: 2, accepted: 2, rejected: 0 });
    expect(await acceptedPorts()).toEqual([22, 23]);
  });

  it('parses each timestamp format of one column', async () => {
    const times = ['2025-02-17 10:00:00', '2025-02-17T10:00:00Z', '1739786400', '2025-02-17T11:00:00+01:00', '17/02/2025 10:00'];
    const { quality } = await load('mixed-times.csv', `${[HEADER, ...times.map((time) => `${time},198.51.100.7,22,tcp`)].join('\n')}\n`);
    expect(quality).toMatchObject({ rowsRead: 5, accepted: 4, rejected: 1, reasons: { 'unparseable time': 1 } });
    const rows = await db.query("SELECT DISTINCT strftime(ts AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M:%S') AS ts FROM sessions_all WHERE reject_reason IS NULL");
    expect(rows.map((row) => row.ts)).toEqual(['2025-02-17 10:00:00']);
  });

  it('rejects a line that is not UTF-8 by name', async () => {
    const latin1 = Buffer.concat([
      Buffer.from(`${HEADER}\n2025-02-17 10:00:00,198.51.100.7,22,tcp\n2025-02-17 10:00:01,198.51.100.7,22,t`),
      Buffer.from([0xe9, 0xff]),
      Buffer.from('cp\n2025-02-17 10:00:02,198.51.100.7,23,tcp\n'),
    ]);
    const { quality } = await load('latin1.csv', latin1);
    expect(quality).toMatchObject({ rowsRead: 3, accepted: 2, rejected: 1, reasons: { [INVALID_UTF8]: 1 } });
  });

  it('rejects odd port spellings with reasons', async () => {
    const ports = ['22/tcp', '"1,433"', '-1', '70000', '443'];
    const { quality } = await load('ports.csv', `${[HEADER, ...ports.map((port) => `2025-02-17 10:00:00,198.51.100.7,${port},tcp`)].join('\n')}\n`);
    expect(quality).toMatchObject({ rowsRead: 5, accepted: 1, rejected: 4, reasons: { 'invalid port': 2, 'port out of range': 2 } });
    expect(await acceptedPorts()).toEqual([443]);
  });

  it('drops the zone index of an IPv6 address', async () => {
    const { quality } = await load('zone.csv', `${HEADER}\n2025-02-17 10:00:00,2001:db8::1%eth0,22,tcp\n2025-02-17 10:00:00,2001:db8::2%3,22,tcp\n`);
    expect(quality).toMatchObject({ rowsRead: 2, accepted: 2, rejected: 0 });
    const rows = await db.query('SELECT src_ip FROM sessions_all ORDER BY src_ip');
    expect(rows.map((row) => row.src_ip)).toEqual(['2001:db8:0:0:0:0:0:1', '2001:db8:0:0:0:0:0:2']);
  });

  it('counts - placeholders as missing values', async () => {
    const lines = ['-,198.51.100.7,22,tcp', '2025-02-17 10:00:00,-,22,tcp', '2025-02-17 10:00:00,198.51.100.7,-,tcp', '2025-02-17 10:00:00,198.51.100.7,22,tcp'];
    const { quality } = await load('dashes.csv', `${[HEADER, ...lines].join('\n')}\n`);
    expect(quality).toMatchObject({ rowsRead: 4, accepted: 1, rejected: 3, reasons: { 'missing time': 1, 'missing source IP': 1, 'missing port': 1 } });
  });

  it('still counts a short line as malformed', async () => {
    const { quality } = await load('short.csv', `${HEADER}\n2025-02-17 10:00:00,198.51.100.7\n2025-02-17 10:00:00,198.51.100.7,22,tcp\n`);
    expect(quality).toMatchObject({ rowsRead: 2, accepted: 1, rejected: 1, reasons: { [MALFORMED_CSV_LINE]: 1 } });
  });

  it('reads plain and gzip files of one source', async () => {
    mkdirSync(path.join(dir, 'mixed'));
    // The gzip file sorts first, so its compression is the one a single read would apply to both.
    writeFileSync(path.join(dir, 'mixed', 'ports-1.csv.gz'), gzipSync(`${HEADER}\n2025-02-10 10:00:00,198.51.100.7,23,tcp\n`));
    writeFileSync(path.join(dir, 'mixed', 'ports-2.csv'), `${HEADER}\n2025-02-17 10:00:00,198.51.100.7,22,tcp\n`);

    const result = await loadArchive(db, configOf('mixed/ports-*'), NOW, silentLogger());

    expect(result.files.map((file) => [file.file, file.rowsRead, file.accepted])).toEqual([
      ['mixed/ports-1.csv.gz', 1, 1],
      ['mixed/ports-2.csv', 1, 1],
    ]);
    expect(await acceptedPorts()).toEqual([22, 23]);
  });

  it.each([
    ['csv', 'LF', 'boundary.csv', 1],
    ['csv', 'CRLF', 'boundary.csv.gz', 2],
    ['json', 'LF', 'boundary.ndjson', 1],
    ['json', 'CRLF', 'boundary.ndjson.gz', 2],
  ])('rejects %s lines over 16 MiB with %s as too long', async (format, lineEnd, name, tooLong) => {
    // Sizes count the line end, as DuckDB's max_line_size does: a line of exactly 16 MiB with LF is read, and with CRLF it is one byte over.
    const end = lineEnd === 'LF' ? '\n' : '\r\n';
    /** Returns a line of `bytes` bytes, line end included. */
    const padded = (bytes: number) => {
      const row = format === 'csv' ? '2025-02-17 10:00:00,198.51.100.7,22,tcp,' : '{"ts":"2025-02-17T10:00:00Z","src":"198.51.100.7","dport":22,"proto":"tcp","pad":"';
      const close = format === 'csv' ? '' : '"}';
      return row + 'a'.repeat(bytes - row.length - close.length - 1) + close;
    };
    const lines = [padded(100), padded(MAX_LINE_BYTES - 1), padded(MAX_LINE_BYTES), padded(MAX_LINE_BYTES + 1), padded(100)];
    const text = [...(format === 'csv' ? [`${HEADER},pad`] : []), ...lines].join(end) + end;

    const { quality } = await load(name, name.endsWith('.gz') ? gzipSync(text) : text, format);

    expect(quality).toMatchObject({ rowsRead: 5, accepted: 5 - tooLong, rejected: tooLong, reasons: { [LINE_TOO_LONG]: tooLong } });
  });

  it('names a parquet column the file lacks', async () => {
    const file = path.join(dir, 'wrong-schema.parquet');
    await db.run(`COPY (SELECT now() AS time, '198.51.100.7' AS address, 22 AS port) TO '${file}' (FORMAT parquet)`);
    const error = await loadError('wrong-schema.parquet', undefined, 'parquet');
    expect(error.message).toBe(
      `${path.join(dir, 'portbrief.yaml')}: sources[0].fields.time: column 'ts' not found in ${file}; its columns are time, address, port.`,
    );
    expect(error.exitCode).toBe(EXIT.usage);
  });

  it('names a corrupt parquet file', async () => {
    const error = await loadError('corrupt.parquet', Buffer.concat([Buffer.from('PAR1'), Buffer.alloc(64, 7), Buffer.from('PAR1')]), 'parquet');
    expect(error.message).toContain(`${path.join(dir, 'portbrief.yaml')}: sources[0] 'sensors': cannot read ${path.join(dir, 'corrupt.parquet')} as parquet: `);
    expect(error.message).toContain('Check sources[0].format and the file.');
  });
});

describe('archive file names', () => {
  const printer = printerForFile();

  it('accounts for an emoji and a space', async () => {
    const folder = tempDir();
    const rows = (port: number) => [HEADER, ...[0, 1, 2].map((second) => `2025-02-18 10:00:0${second},8.8.8.8,${port},tcp`), 'yesterday,8.8.8.8,22,tcp'];
    writeFileSync(path.join(folder, 'sensor 🛡️ log.csv'), `${rows(22).join('\n')}\n`);
    writeFileSync(path.join(folder, 'rotated 🐝 log.csv.gz'), gzipSync(`${rows(23).join('\n')}\n`));
    const config = csvSourceConfig(folder, '* log.csv*');

    const result = await runWeekly({ config, week: '2025-W08', now: NOW, log: silentLogger(), printer: printer(), dryRun: true });

    expect(result.exitCode).toBe(EXIT.ok);
    const brief = JSON.parse(readFileSync(path.join(folder, 'reports', '2025-W08', 'brief.json'), 'utf8')) as Brief;
    expect(brief.files.map((file) => [file.file, file.rowsRead, file.accepted, file.reasons])).toEqual([
      ['rotated 🐝 log.csv.gz', 4, 3, { 'unparseable time': 1 }],
      ['sensor 🛡️ log.csv', 4, 3, { 'unparseable time': 1 }],
    ]);
    // The PDF prints each name as it is, emoji included (from the Noto Color Emoji font that scripts/setup.sh installs).
    const text = pdfText(path.join(folder, 'reports', '2025-W08', 'brief.pdf'));
    expect(text).toMatch(/^\s+rotated 🐝 log\.csv\.gz\s+4\s+3\s+1$/m);
    expect(text).toMatch(/^\s+sensor 🛡️ log\.csv\s+4\s+3\s+1$/m);
  });
});

/** Sensor ids that read as dates or numbers (22 and 0022 are one number, as are 1e5 and 100000), each with its own source address, port text and rows. */
const ID_SENSORS: Array<[sensor: string, address: string, port: string, rows: number]> = [
  ['0022', '8.8.8.8', '0022', 5],
  ['22', '8.8.8.8', '80', 3],
  ['2025-02-17', '77.88.8.8', '443', 2],
  ['20250217', '8.8.4.4', '23', 4],
  ['1e5', '9.9.9.9', '3389', 1],
  ['100000', '202.12.27.33', '25', 6],
];
const ID_FIELDS = { time: 'ts', srcIp: 'src', dstPort: 'dport', proto: 'proto', sensor: 'sensor' };

/** Writes the ID_SENSORS rows in week 2025-W08 to <folder>/ids.csv and <folder>/ids.ndjson, every JSON value a string. */
function writeIdArchive(folder: string): void {
  const rows = ID_SENSORS.flatMap(([sensor, address, port, count]) =>
    Array.from({ length: count }, (_, i) => ({ ts: `2025-02-18T10:00:0${i}Z`, src: address, dport: port, proto: 'tcp', sensor })),
  );
  writeFileSync(path.join(folder, 'ids.csv'), `${['ts,src,dport,proto,sensor', ...rows.map((row) => Object.values(row).join(','))].join('\n')}\n`);
  writeFileSync(path.join(folder, 'ids.ndjson'), `${rows.map((row) => JSON.stringify(row)).join('\n')}\n`);
}

describe('sensor ids that look like dates or numbers', () => {
  const printer = printerForFile();

  it.each([
    ['csv', 'ids.csv'],
    ['json', 'ids.ndjson'],
  ])('keeps %s sensor ids verbatim', async (format, name) => {
    const folder = tempDir();
    writeIdArchive(folder);
    const config = validateConfig({ sources: [{ name: 'sensors', format, path: name, fields: ID_FIELDS }] }, path.join(folder, 'portbrief.yaml'));

    const result = await loadArchive(db, config, NOW, silentLogger());

    expect(result.sensors).toEqual(['0022', '100000', '1e5', '2025-02-17', '20250217', '22']);
    expect(result.files).toMatchObject([{ file: name, rowsRead: 21, accepted: 21, rejected: 0, reasons: {} }]);
    const rows = await db.query('SELECT sensor, dst_port, count(*)::INTEGER AS rows FROM sessions_all GROUP BY ALL ORDER BY rows DESC');
    expect(rows.map((row) => [row.sensor, row.dst_port, row.rows])).toEqual([
      ['100000', 25, 6],
      ['0022', 22, 5],
      ['20250217', 23, 4],
      ['22', 80, 3],
      ['2025-02-17', 443, 2],
      ['1e5', 3389, 1],
    ]);
  });

  it('maps id sensors to their clients', async () => {
    const folder = tempDir();
    writeIdArchive(folder);
    const file = path.join(folder, 'portbrief.yaml');
    writeFileSync(
      file,
      [
        'sources:',
        '  - { name: csv-sensors, format: csv, path: ids.csv, fields: { time: ts, srcIp: src, dstPort: dport, proto: proto, sensor: sensor } }',
        '  - { name: json-sensors, format: json, path: ids.ndjson, fields: { time: ts, srcIp: src, dstPort: dport, proto: proto, sensor: sensor } }',
        'clients:',
        "  - { id: zeros, name: Zeros, sensors: ['0022'] }",
        "  - { id: plain, name: Plain, sensors: ['22'] }",
        "  - { id: dated, name: Dated, sensors: ['2025-02-17'] }",
        'output: reports',
        `state: ${freshStateDir()}`,
        '',
      ].join('\n'),
    );
    const config = await loadConfig(file);

    const result = await runWeekly({ config, week: '2025-W08', now: NOW, log: silentLogger(), printer: printer(), dryRun: true });

    expect(result.exitCode).toBe(EXIT.ok);
    const briefOf = (client: string) => JSON.parse(readFileSync(path.join(folder, 'reports', client, '2025-W08', 'brief.json'), 'utf8')) as Brief;
    const ranked = (brief: Brief) => brief.countries.map((section) => [section.country, section.topPorts.map((row) => [row.port, row.sessions])]);
    const quality = (brief: Brief) => brief.files.map((entry) => [entry.file, entry.rowsRead, entry.accepted, entry.rejected]);
    expect(ranked(briefOf('zeros'))).toEqual([['US', [[22, 10]]]]);
    expect(quality(briefOf('zeros'))).toEqual([
      ['ids.csv', 5, 5, 0],
      ['ids.ndjson', 5, 5, 0],
    ]);
    expect(ranked(briefOf('plain'))).toEqual([['US', [[80, 6]]]]);
    expect(quality(briefOf('plain'))).toEqual([
      ['ids.csv', 3, 3, 0],
      ['ids.ndjson', 3, 3, 0],
    ]);
    expect(ranked(briefOf('dated'))).toEqual([['RU', [[443, 4]]]]);
    expect(quality(briefOf('dated'))).toEqual([
      ['ids.csv', 2, 2, 0],
      ['ids.ndjson', 2, 2, 0],
    ]);

    const text = pdfText(path.join(folder, 'reports', 'zeros', '2025-W08', 'brief.pdf'));
    expect(text).toMatch(/^\s+1\s+22\s+ssh\s+10\s+1\s+100\.0%\s+—$/m);
    expect(text).toMatch(/^\s+ids\.csv\s+5\s+5\s+0$/m);
    expect(text).toMatch(/^\s+ids\.ndjson\s+5\s+5\s+0$/m);
  });

  it('names an unquoted numeric sensor id', async () => {
    const file = path.join(tempDir(), 'portbrief.yaml');
    writeFileSync(file, ['sources:', '  - { name: sensors, format: csv, path: ids.csv, fields: { time: ts, srcIp: src, dstPort: dport, sensor: sensor } }', 'clients:', '  - { id: zeros, name: Zeros, sensors: [0022, 1e5, 2025-02-17] }', ''].join('\n'));

    const error = await loadConfig(file).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(PortbriefError);
    expect((error as PortbriefError).message).toBe(
      [
        `${file}: clients[0].sensors[0]: expected a string, but YAML reads the unquoted 0022 as the number 22; write it as '0022' to keep it as text`,
        `${file}: clients[0].sensors[1]: expected a string, but YAML reads the unquoted 1e5 as the number 100000; write it as '1e5' to keep it as text`,
      ].join('\n'),
    );
    expect((error as PortbriefError).exitCode).toBe(EXIT.usage);
  });
});
