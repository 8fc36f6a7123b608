import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadArchive } from '../../src/archive/load.js';
import { validateConfig } from '../../src/config/load.js';
import { Database } from '../../src/db.js';
import { silentLogger } from '../../src/log.js';
import { tempDir } from '../helpers/temp.js';

const NOW = new Date('2026-12-04T12:00:00Z');
const dir = tempDir();

let db: Database;
beforeEach(async () => {
  db = await Database.open();
});
afterEach(() => db.close());

/** Loads one source from files in the temp folder and returns its accounting. */
async function load(source: Record<string, unknown>) {
  const config = validateConfig({ sources: [{ name: 'sensors', ...source }] }, path.join(dir, 'portbrief.yaml'));
  return loadArchive(db, config, NOW, silentLogger());
}

/** Accepted rows as plain values, in time order. */
async function acceptedRows() {
  return db.query(
    `SELECT strftime(ts, '%Y-%m-%d %H:%M:%S') AS ts, src_ip, dst_port::INTEGER AS dst_port, proto
     FROM sessions_all WHERE reject_reason IS NULL ORDER BY ts, src_ip`,
  );
}

describe('zeek format', () => {
  const header = (separatorLine: string, fields: string[]) =>
    [separatorLine, '#set_separator\t,', '#empty_field\t(empty)', '#unset_field\t-', '#path\tconn', `#fields\t${fields.join('\t')}`, `#types\t${fields.map(() => 'string').join('\t')}`];
  const fields = ['ts', 'uid', 'id.orig_h', 'id.orig_p', 'id.resp_h', 'id.resp_p', 'proto', 'service', 'label'];

  it('reads rows between headers and footer', async () => {
    writeFileSync(
      path.join(dir, 'conn.log'),
      [
        // A stray tab before the first header line, as some copies of Zeek logs have.
        ...header('\t#separator \\x09', fields),
        '1601998366.785668\tC1\t2001:718:2:1663::51a5\t54170\t2001:718::90\t53\tudp\tdns\tBenign',
        '1601998367.000000\tC2\t203.0.113.5\t3\t198.51.100.1\t3\ticmp\t-\t(empty)', // ICMP: the port column contains the ICMP code
        '1601998368.000000\tC3\t203.0.113.6\t4444\t198.51.100.1\t-\ttcp\t-\tBenign', // unset port
        '1601998369.000000\tC4\t203.0.113.7\t4444', // too few columns
        '#close\t2020-10-06-17-33-29',
        '',
      ].join('\n'),
    );

    const result = await load({ format: 'zeek', path: 'conn.log' });

    expect(result.files[0]).toMatchObject({ rowsRead: 4, accepted: 2, rejected: 2, reasons: { 'missing port': 1, 'malformed record': 1 }, damage: null });
    expect(await acceptedRows()).toEqual([
      { ts: '2020-10-06 15:32:46', src_ip: '2001:718:2:1663:0:0:0:51a5', dst_port: 53, proto: 'udp' },
      { ts: '2020-10-06 15:32:47', src_ip: '203.0.113.5', dst_port: null, proto: 'icmp' },
    ]);
  });

  it('reads old and current layouts in one source', async () => {
    const old = ['ts', 'uid', 'id.orig_h', 'id.orig_p', 'id.resp_h', 'id.resp_p', 'proto'];
    const current = ['ts', 'uid', 'id.orig_h', 'id.orig_p', 'id.resp_h', 'id.resp_p', 'proto', 'service', 'local_resp'];
    writeFileSync(path.join(dir, 'layout-a.log'), [...header('#separator\t\\x09', old), '1379288667.7\tC1\t198.51.100.9\t1032\t203.0.113.1\t80\ttcp', ''].join('\n'));
    writeFileSync(path.join(dir, 'layout-b.log'), [...header('#separator \\x09', current), '1379288668.7\tC2\t198.51.100.8\t1033\t203.0.113.1\t443\ttcp\tssl\tF', ''].join('\n'));

    const result = await load({ format: 'zeek', path: 'layout-*.log' });

    expect(result.totals).toEqual({ rowsRead: 2, accepted: 2, rejected: 0 });
    expect((await acceptedRows()).map((row) => row.dst_port)).toEqual([80, 443]);
  });

  it('counts a cut last line as a truncated file', async () => {
    writeFileSync(path.join(dir, 'cut.log'), [...header('#separator \\x09', fields), '1601998366.1\tC1\t203.0.113.5\t1\t198.51.100.1\t22\ttcp\t-\t-', '1601998366.2\tC2\t203.0.113.5\t1\t198.51.100.1\t22\ttcp\t-\t-'].join('\n'));

    const result = await load({ format: 'zeek', path: 'cut.log' });

    expect(result.files[0]).toMatchObject({ rowsRead: 2, accepted: 1, reasons: { 'truncated file': 1 }, damage: 'the last line is cut off (no line end)' });
  });

  it('names a mapped field missing from #fields', async () => {
    writeFileSync(path.join(dir, 'fields.log'), [...header('#separator \\x09', fields), ''].join('\n'));
    await expect(load({ format: 'zeek', path: 'fields.log', fields: { srcIp: 'src' } })).rejects.toThrow(
      /sources\[0\]\.fields\.srcIp: field 'src' not found in the #fields line of .*fields\.log; its fields are ts, uid, id\.orig_h/,
    );
  });
});

describe('json formats', () => {
  const mapping = { time: 'attack.time', srcIp: 'attack.remote_ip', dstPort: 'attack.local_port', proto: 'attack.protocol' };
  const record = (time: unknown, ip: string, port: unknown) => JSON.stringify({ attack: { time, remote_ip: ip, local_port: port, protocol: 'tcp' } });

  it('counts NDJSON lines that are not objects', async () => {
    writeFileSync(path.join(dir, 'events.ndjson'), [record('2025-02-12T08:00:00Z', '203.0.113.1', 22), '{"attack": {', '[1, 2]', record('2025-02-12T08:00:01Z', '203.0.113.2', 23), ''].join('\n'));

    const result = await load({ format: 'json', path: 'events.ndjson', fields: mapping });

    expect(result.files[0]).toMatchObject({ rowsRead: 4, accepted: 2, reasons: { 'malformed record': 2 } });
  });

  it('reads an array with stray commas', async () => {
    writeFileSync(path.join(dir, 'array.json'), ['[' + record('2025-02-12T08:00:00', '203.0.113.1', 445) + ',', ',', record('2025-02-12T08:00:01', '203.0.113.2', 1433), ']'].join('\n'));

    const result = await load({ format: 'json', path: 'array.json', fields: mapping });

    expect(result.files[0]).toMatchObject({ rowsRead: 2, accepted: 2, rejected: 0 });
  });

  it('reads recordsPath with MongoDB dates', async () => {
    const mongo = [
      JSON.stringify({ attack: { time: { $date: '2025-02-12T08:00:00Z' }, remote_ip: '203.0.113.1', local_port: { $numberInt: '3389' }, protocol: 'tcp' } }),
      JSON.stringify({ attack: { time: { $date: { $numberLong: '1739347201000' } }, remote_ip: '203.0.113.2', local_port: 22, protocol: 'tcp' } }),
    ];
    writeFileSync(path.join(dir, 'export.json.gz'), gzipSync(['{"attacks":[', `${mongo[0]},`, mongo[1], ']}'].join('\n')));

    const result = await load({ format: 'json', path: 'export.json.gz', recordsPath: 'attacks', fields: mapping });

    expect(result.files[0]).toMatchObject({ rowsRead: 2, accepted: 2, rejected: 0 });
    expect(await acceptedRows()).toEqual([
      { ts: '2025-02-12 08:00:00', src_ip: '203.0.113.1', dst_port: 3389, proto: 'tcp' },
      { ts: '2025-02-12 08:00:01', src_ip: '203.0.113.2', dst_port: 22, proto: 'tcp' },
    ]);
  });

  it('parses a pretty-printed document whole', async () => {
    const records = [JSON.parse(record('2025-02-12T08:00:00Z', '203.0.113.1', 80)), JSON.parse(record('2025-02-12T08:00:01Z', '203.0.113.2', 81))];
    writeFileSync(path.join(dir, 'pretty.json'), JSON.stringify({ meta: { n: 2 }, attacks: records }, null, 2));

    const result = await load({ format: 'json', path: 'pretty.json', recordsPath: 'attacks', fields: mapping });

    expect(result.files[0]).toMatchObject({ rowsRead: 2, accepted: 2, rejected: 0 });
  });

  it('skips suricata events that are not flows', async () => {
    const event = (type: string, port: number) =>
      JSON.stringify({ timestamp: '2021-06-06T15:59:46.457984+0200', event_type: type, src_ip: '198.51.100.4', dest_port: port, proto: 'TCP', flow: { start: '2021-06-06T15:50:00.000000+0200' } });
    writeFileSync(path.join(dir, 'eve.json'), [event('flow', 445), event('alert', 445), event('dns', 53), event('flow', 23), ''].join('\n'));

    const result = await load({ format: 'suricata', path: 'eve.json' });

    expect(result.files[0]).toMatchObject({ rowsRead: 2, accepted: 2, skipped: { 'alert events': 1, 'dns events': 1 } });
    const rows = await acceptedRows();
    expect(rows.map((row) => row.dst_port).sort()).toEqual([23, 445]);
    // flow.start, not the event's own timestamp, is when the session began; +0200 is kept.
    expect(rows[0]).toMatchObject({ ts: '2021-06-06 13:50:00', src_ip: '198.51.100.4', proto: 'tcp' });
  });

  it('reads the configured suricata event types', async () => {
    writeFileSync(path.join(dir, 'eve-alerts.json'), `${JSON.stringify({ timestamp: '2021-06-06T15:59:46+0200', event_type: 'alert', src_ip: '198.51.100.4', dest_port: 445, proto: 'TCP' })}\n`);

    const result = await load({ format: 'suricata', path: 'eve-alerts.json', eventTypes: ['flow', 'alert'] });

    expect(result.files[0]).toMatchObject({ rowsRead: 1, accepted: 1, skipped: {} });
    expect((await acceptedRows())[0].ts).toBe('2021-06-06 13:59:46');
  });
});

describe('syslog-ufw format', () => {
  const ufw = (time: string, src: string, rest: string) =>
    `${time} vps kernel: [24990698.499344] [UFW BLOCK] IN=eth0 OUT= MAC=52:54:00:7c:d8:0f SRC=${src} DST=194.58.102.129 LEN=44 TTL=248 ${rest}`;

  it('dates lines across New Year', async () => {
    writeFileSync(
      path.join(dir, 'ufw_2025-01-02.log'),
      [
        ufw('Dec 31 23:59:58', '77.223.103.53', 'PROTO=TCP SPT=40485 DPT=30008 WINDOW=65535'),
        'Dec 31 23:59:59 vps systemd[1]: Started Daily apt upgrade.',
        ufw('Jan  1 00:00:01', '77.223.103.54', 'PROTO=47'),
        ufw('Jan  2 10:00:00', '77.223.103.55', 'PROTO=UDP SPT=5060 DPT=5060'),
        '',
      ].join('\n'),
    );

    const result = await load({ format: 'syslog-ufw', path: 'ufw_*.log', yearFrom: '_(\\d{4})-' });

    expect(result.files[0]).toMatchObject({ rowsRead: 3, accepted: 3, rejected: 0, skipped: { 'other log lines': 1 } });
    expect(await acceptedRows()).toEqual([
      { ts: '2024-12-31 23:59:58', src_ip: '77.223.103.53', dst_port: 30008, proto: 'tcp' },
      { ts: '2025-01-01 00:00:01', src_ip: '77.223.103.54', dst_port: null, proto: 'gre' },
      { ts: '2025-01-02 10:00:00', src_ip: '77.223.103.55', dst_port: 5060, proto: 'udp' },
    ]);
  });

  it('reads only lines with the match text', async () => {
    writeFileSync(path.join(dir, 'kern.log'), [ufw('Apr 28 00:00:54', '203.0.113.1', 'PROTO=TCP DPT=22'), ufw('Apr 28 00:00:55', '203.0.113.2', 'PROTO=TCP DPT=23').replace('UFW BLOCK', 'UFW ALLOW'), ''].join('\n'));

    const result = await load({ format: 'syslog-ufw', path: 'kern.log', year: 2024, match: '[UFW BLOCK]' });

    expect(result.files[0]).toMatchObject({ rowsRead: 1, accepted: 1, skipped: { 'other log lines': 1 } });
  });

  it('names a file name without a year', async () => {
    writeFileSync(path.join(dir, 'messages.log'), `${ufw('Apr 28 00:00:54', '203.0.113.1', 'PROTO=TCP DPT=22')}\n`);
    await expect(load({ format: 'syslog-ufw', path: 'messages.log', yearFrom: '_(\\d{4})-' })).rejects.toThrow(
      'sources[0].yearFrom: the pattern _(\\d{4})- finds no year in the file name messages.log. Fix the pattern, or set year for the source.',
    );
  });
});

describe('damaged files', () => {
  // Enough distinct lines that the compressed stream spans many deflate blocks.
  const lines = Array.from({ length: 20_000 }, (_, i) => `Apr 28 ${String(10 + Math.floor(i / 3600)).padStart(2, '0')}:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')} vps kernel: [UFW BLOCK] SRC=198.51.${Math.floor(i / 256) % 256}.${i % 256} PROTO=TCP SPT=${40000 + (i % 997)} DPT=${(i * 7919) % 65536}`);
  const whole = gzipSync(`${lines.join('\n')}\n`);
  writeFileSync(path.join(dir, 'cut.log.gz'), whole.subarray(0, Math.floor(whole.length * 0.6)));

  it('reads a truncated gzip log', async () => {
    const result = await load({ format: 'syslog-ufw', path: 'cut.log.gz', year: 2024 });

    const [file] = result.files;
    expect(file.damage).toMatch(/^gzip stream damaged \(unexpected end of file\) after \d+ bytes of complete lines$/);
    expect(file.reasons).toEqual({ 'truncated file': 1 });
    expect(file.rowsRead).toBe(file.accepted + 1);
    // The readable part is a prefix of the lines, and every complete one is read.
    const recovered = Number(/after (\d+) bytes/.exec(file.damage!)![1]);
    const complete = `${lines.join('\n')}\n`.slice(0, recovered);
    expect(complete.endsWith('\n')).toBe(true);
    expect(file.accepted).toBe(complete.split('\n').length - 1);
  });

  it('reads a truncated gzip CSV', async () => {
    const rows = lines.map((_, i) => `2024-04-28 10:00:${String(i % 60).padStart(2, '0')},198.51.${Math.floor(i / 256) % 256}.${i % 256},${(i * 7919) % 65536},tcp`);
    const csv = gzipSync(`ts,src,dport,proto\n${rows.join('\n')}\n`);
    writeFileSync(path.join(dir, 'cut.csv.gz'), csv.subarray(0, Math.floor(csv.length * 0.5)));

    const result = await load({ format: 'csv', path: 'cut.csv.gz', fields: { time: 'ts', srcIp: 'src', dstPort: 'dport', proto: 'proto' } });

    const [file] = result.files;
    expect(file.reasons).toEqual({ 'truncated file': 1 });
    const recovered = Number(/after (\d+) bytes/.exec(file.damage!)![1]);
    // The header line is no row.
    expect(file.accepted).toBe(`ts,src,dport,proto\n${rows.join('\n')}\n`.slice(0, recovered).split('\n').length - 2);
  });

  it('fails a strict source on a truncated gzip file', async () => {
    await expect(load({ format: 'syslog-ufw', path: 'cut.log.gz', year: 2024, strict: true })).rejects.toThrow(
      /sources\[0\]: archive file .*cut\.log\.gz is damaged: gzip stream damaged \(unexpected end of file\)\. Replace the file, or remove strict: true/,
    );
  });

  it('fails a strict source on a cut last line', async () => {
    writeFileSync(path.join(dir, 'cut-line.log'), `${lines[0]}\n${lines[1].slice(0, 40)}`);
    await expect(load({ format: 'syslog-ufw', path: 'cut-line.log', year: 2024, strict: true })).rejects.toThrow(
      `archive file ${path.join(dir, 'cut-line.log')} is damaged: the last line is cut off (no line end).`,
    );
  });
});

describe('compressed files', () => {
  it('reads gzip whatever the file name', async () => {
    writeFileSync(path.join(dir, 'ufw.log.2'), gzipSync('Apr 28 00:00:54 vps kernel: [UFW BLOCK] SRC=203.0.113.1 PROTO=TCP DPT=22\n'));

    const result = await load({ format: 'syslog-ufw', path: 'ufw.log.2', year: 2024 });

    expect(result.totals).toEqual({ rowsRead: 1, accepted: 1, rejected: 0 });
  });

  it('reads zstd CSV and rejects zstd logs', async () => {
    const file = path.join(dir, 'sessions.csv.zst');
    await db.run(`COPY (SELECT '2025-02-17 10:00:00' AS ts, '203.0.113.9' AS src, 22 AS dport) TO '${file}' (FORMAT csv, HEADER, COMPRESSION zstd)`);

    const result = await load({ format: 'csv', path: 'sessions.csv.zst', proto: 'tcp', fields: { time: 'ts', srcIp: 'src', dstPort: 'dport' } });

    expect(result.totals).toEqual({ rowsRead: 1, accepted: 1, rejected: 0 });
    await expect(load({ format: 'zeek', path: 'sessions.csv.zst' })).rejects.toThrow('sessions.csv.zst is zstd-compressed, which portbrief reads only for format csv');
  });
});

describe('auto format', () => {
  it('detects each format from the first bytes', async () => {
    const samples: Record<string, string> = {
      'a.log': '#separator \\x09\n#fields\tts\tid.orig_h\tid.resp_p\tproto\n1601998366.7\t203.0.113.1\t22\ttcp\n',
      'b.json': `${JSON.stringify({ timestamp: '2021-06-06T15:59:46+0200', event_type: 'flow', src_ip: '203.0.113.1', dest_port: 22, proto: 'TCP', flow: { start: '2021-06-06T15:59:46+0200' } })}\n`,
      'c.json': `${JSON.stringify({ ts: 1601998366.7, 'id.orig_h': '203.0.113.1', 'id.resp_p': 22, proto: 'tcp' })}\n`,
      'd.log': 'Apr 28 00:00:54 vps kernel: [UFW BLOCK] SRC=203.0.113.1 PROTO=TCP DPT=22\n',
    };
    for (const [name, text] of Object.entries(samples)) writeFileSync(path.join(dir, name), text);

    const config = validateConfig(
      { sources: Object.keys(samples).map((name, index) => ({ name: `s${index}`, format: 'auto', path: name, year: 2024 })) },
      path.join(dir, 'portbrief.yaml'),
    );
    const result = await loadArchive(db, config, NOW, silentLogger());

    expect(result.sources.map((source) => source.format)).toEqual(['zeek', 'suricata', 'zeek-json', 'syslog-ufw']);
    expect(result.totals).toEqual({ rowsRead: 4, accepted: 4, rejected: 0 });
  });

  it('lists the formats it tried', async () => {
    writeFileSync(path.join(dir, 'notes.txt'), 'just some notes\nnothing else\n');
    await expect(load({ format: 'auto', path: 'notes.txt' })).rejects.toThrow(
      /sources\[0\]\.format: cannot tell the format of .*notes\.txt from its first bytes; tried parquet, zeek, suricata, zeek-json, json, syslog-ufw, csv\. Set the format of sources\[0\] explicitly\./,
    );
  });

  it('asks for the mapping of detected CSV', async () => {
    writeFileSync(path.join(dir, 'plain.csv'), 'when,who,port\n2025-02-17 10:00:00,203.0.113.9,22\n');
    await expect(load({ format: 'auto', path: 'plain.csv' })).rejects.toThrow(
      'sources[0].fields.time: missing; the source is read as csv, which needs it; the columns of',
    );
  });
});
