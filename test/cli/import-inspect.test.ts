import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT, QUERIES_DIR } from '../../src/paths.js';
import { SKIP_REASON, hasSharedData, sharedFile } from '../helpers/shared-data.js';
import { tempDir } from '../helpers/temp.js';

/** Runs the CLI from source, as `portbrief ARGS`, and returns its exit code and output. */
function portbrief(...args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'src', 'cli.ts'), ...args], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
    env: { ...process.env, PORTBRIEF_LOG_LEVEL: 'warn' },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const dir = tempDir();

describe('portbrief inspect', () => {
  const zeek = path.join(dir, 'conn.log');
  writeFileSync(
    zeek,
    [
      '#separator \\x09',
      '#unset_field\t-',
      '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto',
      '1601998366.5\tC1\t203.0.113.5\t40000\t198.51.100.1\t22\ttcp',
      '1601998367.5\tC2\t2001:db8::7\t40001\t198.51.100.1\t443\ttcp',
      '1601998368.5\tC3\t203.0.113.6\t40002\t198.51.100.1\t-\ttcp',
      '#close\t2020-10-06-17-33-29',
      '',
    ].join('\n'),
  );

  it('describes a detected Zeek log', () => {
    const result = portbrief('inspect', zeek, '--rows', '2');

    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(
      [
        `file       ${zeek}`,
        'format     zeek (detected from the first bytes)',
        'fields     time=ts  srcIp=id.orig_h  dstPort=id.resp_p  proto=proto',
        'time span  2020-10-06 15:32:46 to 2020-10-06 15:32:47 UTC (accepted sessions)',
        'rows       3 read: 2 accepted, 1 rejected',
        'rejected   missing port 1',
        'skipped    none',
        'damage     none',
        'weeks      2020-W41 (2)',
        '',
        'first 2 of 2 accepted sessions, in time order:',
        'ts                   src_ip                dst_port  proto',
        '2020-10-06 15:32:46  203.0.113.5           22        tcp',
        '2020-10-06 15:32:47  2001:db8:0:0:0:0:0:7  443       tcp',
        '',
      ].join('\n'),
    );
  });

  it('reads SQL from an override folder', () => {
    const queries = path.join(dir, 'queries');
    mkdirSync(queries);
    const canonical = readFileSync(path.join(QUERIES_DIR, 'canonical.sql'), 'utf8');
    writeFileSync(path.join(queries, 'canonical.sql'), canonical.replace("THEN 'missing port'", "THEN 'no destination port'"));

    const result = portbrief('inspect', zeek, '--rows', '0', '--queries', queries);

    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('rejected   no destination port 1\n');
  });

  it('names a missing or wrong override folder', () => {
    const missing = portbrief('inspect', zeek, '--queries', path.join(dir, 'absent'));
    const file = portbrief('inspect', zeek, '--queries', zeek);

    const advice = "Pass a folder of .sql files that replace shipped ones, such as a config's queries: folder.";
    expect(missing.status).toBe(2);
    expect(missing.stderr).toBe(`portbrief: --queries ${path.join(dir, 'absent')}: folder not found. ${advice}\n`);
    expect(file.status).toBe(2);
    expect(file.stderr).toBe(`portbrief: --queries ${zeek}: not a folder. ${advice}\n`);
  });

  it('guesses and counts sensor columns', () => {
    const csv = path.join(dir, 'sensors.csv');
    writeFileSync(csv, ['ts,src_ip,dst_port,proto,sensor_name', '2025-02-18 10:00:00,8.8.8.8,22,tcp,hp-b', '2025-02-18 10:00:01,8.8.4.4,23,tcp,hp-a', '2025-02-18 10:00:02,8.8.4.4,23,tcp,hp-a', ''].join('\n'));

    const result = portbrief('inspect', csv, '--rows', '0');

    expect(result.status).toBe(0);
    expect(result.stdout).toContain('fields     time=ts  srcIp=src_ip  dstPort=dst_port  proto=proto  sensor=sensor_name\n');
    expect(result.stdout).toContain('sensors    hp-a (2, 2025-02-18 to 2025-02-18), hp-b (1, 2025-02-18 to 2025-02-18)\n');
  });

  it('asks for --format csv on a zstd file', () => {
    const zst = path.join(dir, 'sessions.csv.zst');
    // A zstd frame's magic number and four more bytes. Detection reads no further than the magic number.
    writeFileSync(zst, Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x00, 0x00, 0x00]));

    const result = portbrief('inspect', zst);

    expect(result.status).toBe(2);
    expect(result.stderr).toBe(`portbrief: ${zst}: zstd-compressed, so its format cannot be detected from its first bytes. Pass --format csv, because portbrief reads zstd files only as CSV.\n`);
  });

  it('lists the formats tried', () => {
    const notes = path.join(dir, 'notes.txt');
    writeFileSync(notes, 'nothing here\n');

    const result = portbrief('inspect', notes);

    expect(result.status).toBe(2);
    expect(result.stderr).toBe(`portbrief: ${notes}: cannot tell the format from the first bytes; tried parquet, zeek, suricata, zeek-json, json, syslog-ufw, csv. Pass --format.\n`);
  });

  it('rejects an unknown --format', () => {
    const result = portbrief('inspect', zeek, '--format', 'pcap');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--format pcap: unknown format; use one of csv, parquet, zeek, zeek-json, suricata, syslog-ufw, json.');
  });
});

describe.skipIf(!hasSharedData)(`portbrief inspect on real files (${SKIP_REASON})`, () => {
  it('guesses the mapping of a T-Pot export', () => {
    const result = portbrief('inspect', sharedFile('uqo-tpot-2025', 'honeytrap_5k.json.gz'), '--rows', '1');

    expect(result.status).toBe(0);
    expect(result.stdout).toContain('fields     time=@timestamp  srcIp=attack_connection.remote_ip  dstPort=attack_connection.local_port  proto=attack_connection.protocol\n');
    expect(result.stdout).toContain('rows       4,999 read: 4,314 accepted, 685 rejected\n');
    expect(result.stdout).toContain('rejected   placeholder record 685\n');
  });

  it('counts the skipped eve.json events', () => {
    const result = portbrief('inspect', sharedFile('slips-stratosphere', 'test6-malicious.suricata.json.gz'), '--rows', '0');

    expect(result.status).toBe(0);
    expect(result.stdout).toContain('format     suricata (detected from the first bytes)\n');
    expect(result.stdout).toContain('skipped    alert events 745, dns events 680, http events 56, anomaly events 3, fileinfo events 3, tls events 1\n');
  });
});

describe('portbrief import', () => {
  it('prints each lake file with its sessions', () => {
    writeFileSync(path.join(dir, 'sessions.csv'), 'ts,src,dport\n2025-02-16T10:00:00Z,203.0.113.1,22\n2025-02-17T10:00:00Z,203.0.113.2,23\n2025-02-17T11:00:00Z,203.0.113.3,23\n');
    const config = path.join(dir, 'import.yaml');
    writeFileSync(config, ['sources:', '  - { name: sensors, format: csv, path: sessions.csv, proto: tcp, fields: { time: ts, srcIp: src, dstPort: dport } }', 'lake: lake', ''].join('\n'));

    const result = portbrief('import', '--config', config);

    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(
      [
        `${path.join(dir, 'lake', 'source=sensors', 'week=2025-W07', 'data.parquet')}\t1`,
        `${path.join(dir, 'lake', 'source=sensors', 'week=2025-W08', 'data.parquet')}\t2`,
        '',
      ].join('\n'),
    );
  });

  it('names an unknown --source', () => {
    const config = path.join(dir, 'import.yaml');
    const result = portbrief('import', '--config', config, '--source', 'other');
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(`portbrief: --source other: no source has that name in ${config}; sources are sensors.\n`);
  });
});
