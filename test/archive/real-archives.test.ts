import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ArchiveLoad, type FileQuality, loadArchive } from '../../src/archive/load.js';
import { validateConfig } from '../../src/config/load.js';
import { Database } from '../../src/db.js';
import { silentLogger } from '../../src/log.js';
import { SHARED_DATA, SKIP_REASON, hasSharedData, sharedFile } from '../helpers/shared-data.js';
import { tempDir } from '../helpers/temp.js';

// The expected numbers were counted apart from portbrief: line counts with
// zcat | wc -l, and records, event types, protocols and time spans with
// Python's json, gzip and csv modules over the same files.

const NOW = new Date('2026-12-04T12:00:00Z');
const dir = tempDir();

/** Reads sources of the shared archives into a fresh database that stays open for the describe block. */
function archiveOf(sources: Array<Record<string, unknown>>) {
  const state: { db?: Database; result?: ArchiveLoad } = {};
  beforeAll(async () => {
    state.db = await Database.open();
    const config = validateConfig({ sources }, path.join(dir, 'portbrief.yaml'));
    state.result = await loadArchive(state.db, config, NOW, silentLogger());
  });
  afterAll(() => state.db?.close());

  return {
    file(name: string): FileQuality {
      const found = state.result!.files.find((file) => file.path === sharedFile(name));
      if (!found) throw new Error(`no accounting for ${name}; files are ${state.result!.files.map((file) => file.path).join(', ')}`);
      return found;
    },
    /** First and last accepted session time of a file, UTC, to the microsecond. */
    async span(name: string): Promise<[string, string]> {
      const [row] = await state.db!.query(
        `SELECT strftime(min(ts), '%Y-%m-%d %H:%M:%S.%f') AS first, strftime(max(ts), '%Y-%m-%d %H:%M:%S.%f') AS last
         FROM sessions_all WHERE reject_reason IS NULL AND file = $file`,
        { file: sharedFile(name) },
      );
      return [String(row.first), String(row.last)];
    },
    query: (sql: string) => state.db!.query(sql),
    result: () => state.result!,
  };
}

/** Checks rows read = accepted + rejected, and rejected = the sum of its reasons. */
function expectBalanced(file: FileQuality): void {
  expect(file.rowsRead).toBe(file.accepted + file.rejected);
  expect(Object.values(file.reasons).reduce((sum, rows) => sum + rows, 0)).toBe(file.rejected);
}

describe.skipIf(!hasSharedData)(`Zeek logs, TSV and JSON (${SKIP_REASON})`, () => {
  const archive = archiveOf([
    { name: 'slips-tsv', format: 'zeek', path: path.join(SHARED_DATA, 'slips-stratosphere', 'test*_conn.log*') },
    { name: 'zat-tsv', format: 'zeek', path: path.join(SHARED_DATA, 'zat-zeek', 'conn*.log') },
    { name: 'slips-json', format: 'zeek-json', path: path.join(SHARED_DATA, 'slips-stratosphere', '*_conn.json.log') },
    { name: 'zat-json', format: 'auto', path: sharedFile('zat-zeek', 'json_conn.log') },
  ]);

  it.each([
    // name, rows read, accepted, reasons, first and last session (UTC)
    ['slips-stratosphere/test10-mixed-zeek-dir_conn.log', 141, 141, {}, '2020-10-06 15:32:46.034324', '2020-10-06 15:33:40.887654'],
    ['slips-stratosphere/test18-ctu-sme-11_conn.log.labeled', 766, 766, {}, '2023-02-22 00:00:02.966990', '2023-02-22 00:08:21.956000'],
    // One DHCP request comes from 0.0.0.0.
    ['zat-zeek/conn.log', 360, 359, { 'unspecified source IP': 1 }, '2013-09-15 23:44:10.690313', '2013-09-15 23:48:22.876972'],
    ['zat-zeek/conn_date_issue.log', 3, 3, {}, '2022-03-17 08:07:36.038126', '2022-03-17 08:07:59.519793'],
    ['slips-stratosphere/port-scans-vertical_conn.json.log', 50, 50, {}, '2023-11-24 12:16:53.098448', '2023-11-24 12:16:58.126877'],
    ['zat-zeek/json_conn.log', 50, 50, {}, '2019-12-03 22:44:56.035613', '2019-12-03 22:46:07.212049'],
  ])('%s: %i rows, %i accepted', async (name, rowsRead, accepted, reasons, first, last) => {
    const file = archive.file(name);
    expect(file).toMatchObject({ rowsRead, accepted, damage: null });
    expect(file.reasons).toEqual(reasons);
    expect(file.skipped).toEqual({});
    expect(await archive.span(name)).toEqual([first, last]);
  });

  it('rejects pcap-relative times as implausible', () => {
    // ts runs from 18.8 to 272.3 seconds after the capture started, which reads as January 1970.
    const file = archive.file('slips-stratosphere/test9-mixed-zeek-dir_conn.json.log');
    expect(file).toMatchObject({ rowsRead: 576, accepted: 0, rejected: 576, reasons: { 'implausible time': 576 } });
  });

  it('keeps the IPv6 sources', async () => {
    const rows = await archive.query(
      `SELECT count(*)::INTEGER AS n FROM sessions_all WHERE reject_reason IS NULL AND contains(src_ip, ':') AND file LIKE '%test10-mixed-zeek-dir_conn.log'`,
    );
    expect(rows).toEqual([{ n: 74 }]);
  });

  it('drops ICMP codes from the port column', async () => {
    // Zeek writes the ICMP type and code into the port columns: 12 + 5 + 20 ICMP rows in the accepted TSV logs.
    const rows = await archive.query(`SELECT count(*)::INTEGER AS n, count(dst_port)::INTEGER AS ports FROM sessions_all WHERE proto = 'icmp' AND reject_reason IS NULL`);
    expect(rows).toEqual([{ n: 37, ports: 0 }]);
  });

  it('detects zeek-json for the auto source', () => {
    expect(archive.result().sources.map((source) => source.format)).toEqual(['zeek', 'zeek', 'zeek-json', 'zeek-json']);
  });
  it("balances every file's rows", () => {
    for (const file of archive.result().files) expectBalanced(file);
  });
});

describe.skipIf(!hasSharedData)(`Suricata eve.json and Argus binetflow (${SKIP_REASON})`, () => {
  const archive = archiveOf([
    { name: 'suricata', format: 'suricata', path: sharedFile('slips-stratosphere', 'test6-malicious.suricata.json.gz') },
    {
      name: 'argus',
      format: 'csv',
      path: sharedFile('slips-stratosphere', 'test2-malicious.binetflow.gz'),
      timeFormat: '%Y/%m/%d %H:%M:%S.%f',
      fields: { time: 'StartTime', srcIp: 'SrcAddr', dstPort: 'Dport', proto: 'Proto' },
    },
  ]);

  it('reads flows and skips other events', async () => {
    const name = 'slips-stratosphere/test6-malicious.suricata.json.gz';
    const file = archive.file(name);
    expect(file).toMatchObject({ rowsRead: 3512, accepted: 3512, rejected: 0, damage: null });
    expect(file.skipped).toEqual({ 'alert events': 745, 'dns events': 680, 'http events': 56, 'fileinfo events': 3, 'anomaly events': 3, 'tls events': 1 });
    // flow.start with its +0200 offset, converted to UTC.
    expect(await archive.span(name)).toEqual(['2021-06-06 13:57:39.105835', '2021-06-07 13:56:04.947028']);
  });

  it('reads binetflow with its time format', async () => {
    const name = 'slips-stratosphere/test2-malicious.binetflow.gz';
    expect(archive.file(name)).toMatchObject({ rowsRead: 6751, accepted: 6751, rejected: 0 });
    expect(await archive.span(name)).toEqual(['2019-04-04 16:23:00.325010', '2019-04-05 16:18:32.568314']);
  });

  it('drops the hex ICMP codes of binetflow', async () => {
    // Argus writes ICMP type and code as hex into Dport (0x0303); IGMP rows have none.
    const rows = await archive.query(`SELECT proto, count(*)::INTEGER AS n, count(dst_port)::INTEGER AS ports FROM sessions_all WHERE source = 'argus' GROUP BY ALL ORDER BY proto`);
    expect(rows).toEqual([
      { proto: 'icmp', n: 65, ports: 0 },
      { proto: 'igmp', n: 7, ports: 0 },
      { proto: 'tcp', n: 3925, ports: 3925 },
      { proto: 'udp', n: 2754, ports: 2754 },
    ]);
  });
  it("balances every file's rows", () => {
    for (const file of archive.result().files) expectBalanced(file);
  });
});

describe.skipIf(!hasSharedData)(`ufw syslog of one VPS, 2023 and 2024 (${SKIP_REASON})`, () => {
  const archive = archiveOf([{ name: 'ufw', format: 'syslog-ufw', path: path.join(SHARED_DATA, 'ufw-vps-2024', '*.log.gz'), yearFrom: '_(\\d{4})-' }]);

  it.each([
    // Each full week's file has about 3 lines a minute, because ufw's log rate limit caps it.
    ['ufw_2024-03-17_to_03-24.log.gz', 30240, '2024-03-17 00:00:54', '2024-03-24 00:00:32'],
    ['ufw_2024-03-24_to_03-31.log.gz', 30239, '2024-03-24 00:00:58', '2024-03-31 00:00:14'],
    ['ufw_2024-03-31_to_04-07.log.gz', 30241, '2024-03-31 00:00:51', '2024-04-07 00:00:34'],
    ['ufw_2024-04-07_to_04-14.log.gz', 30241, '2024-04-07 00:00:54', '2024-04-14 00:00:32'],
    ['ufw_2024-04-14_to_04-21.log.gz', 30240, '2024-04-14 00:00:54', '2024-04-21 00:00:32'],
    ['ufw_2024-04-21_to_04-28.log.gz', 30240, '2024-04-21 00:00:56', '2024-04-28 00:00:32'],
    ['ufw_2024-04-28_to_05-05.log.gz', 30241, '2024-04-28 00:00:54', '2024-05-05 00:00:34'],
    ['ufw_2024-05-05_to_05-12.log.gz', 30240, '2024-05-05 00:00:54', '2024-05-12 00:00:33'],
    ['ufw_2024-05-12_to_05-19.log.gz', 30240, '2024-05-12 00:01:00', '2024-05-19 00:00:31'],
    ['ufw_2024-05-19_to_05-20.log.gz', 8351, '2024-05-19 00:00:52', '2024-05-20 22:24:12'],
  ])('%s: all %i lines accepted', async (name, lines, first, last) => {
    const file = archive.file(`ufw-vps-2024/${name}`);
    expect(file).toMatchObject({ rowsRead: lines, accepted: lines, rejected: 0, damage: null });
    expect(file.skipped).toEqual({});
    expect(await archive.span(`ufw-vps-2024/${name}`)).toEqual([`${first}.000000`, `${last}.000000`]);
  });

  it('reads the cut 2023 file', async () => {
    // zcat | wc -l counts 3,978 line ends; the 3,979th line stops in the MAC address.
    const name = 'ufw-vps-2024/ufw_2023-08-20_truncated-1MiB.log.gz';
    const file = archive.file(name);
    expect(file).toMatchObject({ rowsRead: 3979, accepted: 3978, rejected: 1, reasons: { 'truncated file': 1 }, damage: 'the last line is cut off (no line end)' });
    expect(await archive.span(name)).toEqual(['2023-08-20 00:01:05.000000', '2023-08-20 22:06:45.000000']);
  });

  it('counts 280,513 sessions in 2024 over 11 ISO weeks', () => {
    // Files rotate on Sundays, so each ISO week takes Sunday from the next file.
    expect(archive.result().weeks).toEqual([
      { week: '2023-W33', sessions: 3978 },
      { week: '2024-W11', sessions: 4318 },
      { week: '2024-W12', sessions: 30240 },
      { week: '2024-W13', sessions: 30240 },
      { week: '2024-W14', sessions: 30240 },
      { week: '2024-W15', sessions: 30241 },
      { week: '2024-W16', sessions: 30240 },
      { week: '2024-W17', sessions: 30240 },
      { week: '2024-W18', sessions: 30241 },
      { week: '2024-W19', sessions: 30240 },
      { week: '2024-W20', sessions: 30240 },
      { week: '2024-W21', sessions: 4033 },
    ]);
    expect(archive.result().totals).toEqual({ rowsRead: 284_492, accepted: 284_491, rejected: 1 });
  });

  it('keeps GRE and IPv6-in-IPv4 lines', async () => {
    const rows = await archive.query(`SELECT proto, count(*)::INTEGER AS n, count(dst_port)::INTEGER AS ports FROM sessions_all WHERE year(ts) = 2024 GROUP BY ALL ORDER BY proto`);
    expect(rows).toEqual([
      { proto: 'gre', n: 18, ports: 0 },
      { proto: 'ipv6', n: 4, ports: 0 },
      { proto: 'tcp', n: 273_788, ports: 273_788 },
      { proto: 'udp', n: 6703, ports: 6703 },
    ]);
  });
  it("balances every file's rows", () => {
    for (const file of archive.result().files) expectBalanced(file);
  });
});

describe.skipIf(!hasSharedData)(`T-Pot JSON exports (${SKIP_REASON})`, () => {
  const archive = archiveOf([
    {
      name: 'honeytrap',
      format: 'json',
      path: sharedFile('uqo-tpot-2025', 'honeytrap_5k.json.gz'),
      recordsPath: 'attacks',
      fields: { time: '@timestamp', srcIp: 'attack_connection.remote_ip', dstPort: 'attack_connection.local_port', proto: 'attack_connection.protocol' },
    },
    {
      name: 'dionaea',
      format: 'json',
      path: sharedFile('uqo-tpot-2025', 'dioneae_20k.json.gz'),
      fields: { time: 'timestamp', srcIp: 'src_ip', dstPort: 'dst_port', proto: 'connection.transport' },
    },
    // heralding's protocol field is the service (vnc, imap); every one runs over TCP.
    { name: 'heralding', format: 'json', path: sharedFile('uqo-tpot-2025', 'heralding_82k.json.gz'), proto: 'tcp', fields: { time: 'timestamp', srcIp: 'source_ip', dstPort: 'destination_port' } },
  ]);

  it('rejects the 685 honeytrap placeholders', async () => {
    // Placeholders have @timestamp 1970-01-01T00:00:00Z, remote_ip 0.0.0.0 and local_port 0.
    const name = 'uqo-tpot-2025/honeytrap_5k.json.gz';
    expect(archive.file(name)).toMatchObject({ rowsRead: 4999, accepted: 4314, rejected: 685, reasons: { 'placeholder record': 685 } });
    expect(await archive.span(name)).toEqual(['2025-02-12 01:57:41.000000', '2025-02-18 04:23:27.000000']);
  });

  it('reads dionaea despite stray commas', async () => {
    // The array has 29 lines holding a lone ','; 8 records log a listening socket with src_ip ''.
    const name = 'uqo-tpot-2025/dioneae_20k.json.gz';
    expect(archive.file(name)).toMatchObject({ rowsRead: 20_799, accepted: 20_791, rejected: 8, reasons: { 'missing source IP': 8 } });
    expect(await archive.span(name)).toEqual(['2025-02-11 16:29:06.553931', '2025-04-08 15:15:07.518621']);
  });

  it('accepts all 82,393 heralding records', async () => {
    const name = 'uqo-tpot-2025/heralding_82k.json.gz';
    expect(archive.file(name)).toMatchObject({ rowsRead: 82_393, accepted: 82_393, rejected: 0 });
    expect(await archive.span(name)).toEqual(['2025-02-11 01:18:13.286635', '2025-04-08 15:05:26.362822']);
  });

  it('spreads the sessions over five ISO weeks', () => {
    expect(archive.result().weeks).toEqual([
      { week: '2025-W07', sessions: 4293 + 16_245 + 1379 },
      { week: '2025-W08', sessions: 21 + 4280 + 73_194 },
      { week: '2025-W09', sessions: 256 + 7813 },
      { week: '2025-W11', sessions: 1 },
      { week: '2025-W15', sessions: 9 + 7 },
    ]);
  });
  it("balances every file's rows", () => {
    for (const file of archive.result().files) expectBalanced(file);
  });
});
