import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { WORKLOAD_REPORT_WEEK, generateWorkload } from '../../bench/workload.js';
import type { Brief } from '../../src/brief.js';
import { type Config, validateConfig } from '../../src/config/load.js';
import { Database } from '../../src/db.js';
import { openConfiguredDatabases } from '../../src/enrich/enrich.js';
import { openCountryDatabase } from '../../src/enrich/geoip-database.js';
import { loadRangeTable } from '../../src/enrich/range-cache.js';
import { silentLogger } from '../../src/log.js';
import { parseIsoWeek, previousWeek } from '../../src/week.js';
import { analyse } from '../../src/weekly.js';
import { writeAsnArchive } from '../helpers/asn-archive.js';
import { GEOLITE2_2019, MAXMIND_TEST_DATA, SKIP_REASON, hasSharedData } from '../helpers/shared-data.js';
import { SHARED_STATE_DIR, runStateDir, tempDir } from '../helpers/temp.js';

const dir = tempDir();
const NOW = new Date('2026-12-04T12:00:00Z');

/** Builds every client's brief in one run, and each client's brief in a run of its own. */
async function together(config: Config, week: string): Promise<{ all: Map<string, Brief>; alone: Map<string, Brief> }> {
  const run = async (clients: Config['clients']) => {
    const geoip = await openConfiguredDatabases(config);
    const parsed = parseIsoWeek(week);
    const result = await analyse({ config: { ...config, clients, state: runStateDir() }, now: NOW, storeHistory: false }, parsed, previousWeek(parsed), geoip, silentLogger());
    return new Map(result.map(({ client, brief }) => [client.id, brief]));
  };
  const all = await run(config.clients);
  const alone = new Map<string, Brief>();
  for (const client of config.clients) alone.set(client.id, (await run([client])).get(client.id)!);
  return { all, alone };
}

describe('ranking every client at once', () => {
  const lake = path.join(dir, 'lake');
  const late = path.join(dir, 'late.csv');

  beforeAll(async () => {
    const db = await Database.open();
    try {
      await loadRangeTable(db, await openCountryDatabase(undefined, 'workload'), SHARED_STATE_DIR, silentLogger());
      await generateWorkload(db, 60_000, 4, lake, 'parquet');
    } finally {
      db.close();
    }
    // Two sensors in one source. sensor-early saw 9530 before the report week
    // and nothing in it, while sensor-late saw only 22 before it. So 9530 is
    // first seen in the report week for the late client alone.
    const lines = ['ts,src_ip,dst_port,proto,sensor', '2025-02-11 09:00:00,8.8.8.8,9530,tcp,sensor-early', '2025-02-11 09:00:00,8.8.8.8,22,tcp,sensor-late'];
    for (let i = 0; i < 12; i++) lines.push(`2025-02-25 10:00:${String(10 + i)},8.8.8.8,${i < 8 ? 9530 : 22},tcp,sensor-late`);
    writeFileSync(late, `${lines.join('\n')}\n`);
  });

  it('matches each client run alone', async () => {
    const fields = { time: 'ts', srcIp: 'src_ip', dstPort: 'dst_port', proto: 'proto', sensor: 'sensor' };
    const config = validateConfig(
      {
        sources: [
          { name: 'lake', format: 'parquet', path: `${lake}/*/*.parquet`, fields },
          { name: 'late', format: 'csv', path: late, fields },
        ],
        clients: [
          { id: 'north', name: 'North', sensors: ['sensor-01'], countries: ['CN'] },
          { id: 'south', name: 'South', sensors: ['sensor-02', 'sensor-03', 'sensor-04'] },
          { id: 'late', name: 'Late', sensors: ['sensor-late'] },
          { id: 'early', name: 'Early', sensors: ['sensor-early'] },
        ],
        top: { countries: 1, ports: 5 },
        output: path.join(dir, 'reports'),
      },
      path.join(dir, 'portbrief.yaml'),
    );

    const { all, alone } = await together(config, WORKLOAD_REPORT_WEEK);

    for (const client of ['north', 'south', 'late', 'early']) expect(all.get(client), client).toEqual(alone.get(client));
    const north = all.get('north')!;
    const south = all.get('south')!;
    const lateBrief = all.get('late')!;
    // North's top country, then CN, which it always wants shown.
    expect(north.countries.map((c) => c.country)).toEqual(['US', 'CN']);
    expect(south.countries.map((c) => c.country)).toEqual(['US']);
    expect(north.countries[0].sessions).toBeLessThan(south.countries[0].sessions);
    expect(north.comparisonAvailable).toBe(true);
    expect(lateBrief.countries).toEqual([expect.objectContaining({ country: 'US', sessions: 12 })]);
    expect(lateBrief.countries[0].topPorts.map((p) => [p.port, p.sessions])).toEqual([
      [9530, 8],
      [22, 4],
    ]);
    expect(lateBrief.countries[0].topPorts.map((p) => p.insight.firstSeen)).toEqual([true, false]);
    expect(lateBrief.comparisonAvailable).toBe(false);
    expect(all.get('early')!.countries).toEqual([]);
    expect(north.countries[0].topPorts.every((p) => p.insight.firstSeen === false)).toBe(true);

    // Each brief lists only the weeks its own sensors saw traffic, not the lake's eight.
    expect(lateBrief.archiveWeeks).toEqual(['2025-W07', '2025-W09']);
    expect(all.get('early')!.archiveWeeks).toEqual(['2025-W07']);
    expect(north.archiveWeeks).toEqual(['2025-W02', '2025-W03', '2025-W04', '2025-W05', '2025-W06', '2025-W07', '2025-W08', '2025-W09']);
  });
});

describe.skipIf(!hasSharedData)(`ranking every client's networks at once (${SKIP_REASON})`, () => {
  it("matches each client's networks alone", async () => {
    // The same sessions seen by a second sensor, which keeps only its SSH and Telnet sessions.
    const first = writeAsnArchive(dir);
    const second = path.join(dir, 'second.csv');
    const [header, ...rows] = readFileSync(first, 'utf8').trim().split('\n');
    writeFileSync(second, `${[header, ...rows.filter((row) => /,(22|23),tcp,/.test(row)).map((row) => row.replace('edge-1', 'edge-2'))].join('\n')}\n`);
    const fields = { time: 'time', srcIp: 'src', dstPort: 'dport', proto: 'proto', sensor: 'sensor' };
    const config = validateConfig(
      {
        sources: [
          { name: 'first', format: 'csv', path: first, fields },
          { name: 'second', format: 'csv', path: second, fields },
        ],
        geoip: { country: GEOLITE2_2019, asn: path.join(MAXMIND_TEST_DATA, 'GeoLite2-ASN-Test.mmdb') },
        clients: [
          { id: 'one', name: 'One', sensors: ['edge-1'] },
          { id: 'two', name: 'Two', sensors: ['edge-2'] },
        ],
        top: { countries: 5, ports: 10, networks: 2 },
        output: path.join(dir, 'reports-asn'),
      },
      path.join(dir, 'portbrief-asn.yaml'),
    );

    const { all, alone } = await together(config, '2020-W02');

    expect(all.get('one')).toEqual(alone.get('one'));
    expect(all.get('two')).toEqual(alone.get('two'));
    expect(all.get('one')!.countries.map((c) => c.country)).toEqual(['US', 'AU', 'CH']);
    expect(all.get('two')!.countries.map((c) => c.country)).toEqual(['US', 'AU']);
    expect(all.get('two')!.countries[0].topPorts.map((p) => [p.port, p.networks.map((n) => n.asn)])).toEqual([[22, [7018, 174]]]);
  });
});

describe('a fixed-sensor source', () => {
  it('counts skipped records for its client', async () => {
    // Every row of the Suricata source carries its sensor setting, so its alert event belongs to that sensor's client.
    const eve = path.join(dir, 'eve.json');
    const event = (type: string, second: number) =>
      JSON.stringify({ timestamp: `2025-02-18T10:00:0${second}.000000+0000`, event_type: type, src_ip: '8.8.8.8', src_port: 50000, dest_ip: '10.0.0.1', dest_port: 22, proto: 'TCP' });
    writeFileSync(eve, `${[event('flow', 1), event('flow', 2), event('alert', 3)].join('\n')}\n`);
    const config = validateConfig(
      {
        sources: [{ name: 'eve', format: 'suricata', path: eve, sensor: 'eve-lab' }],
        clients: [{ id: 'lab', name: 'Lab', sensors: ['eve-lab'] }],
        output: path.join(dir, 'reports-eve'),
      },
      path.join(dir, 'portbrief-eve.yaml'),
    );

    const { all } = await together(config, '2025-W08');

    expect(all.get('lab')!.skippedRecords).toEqual([{ kind: 'alert events', records: 1 }]);
    expect(all.get('lab')!.totals).toEqual({ rowsRead: 2, accepted: 2, rejected: 0 });
  });
});
