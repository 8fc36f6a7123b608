import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { WEEKLY_TABLE_RELATIONS, type WeeklyTable, archiveWeeklyTable } from '../../src/analyse/weekly-table.js';
import { type Config, validateConfig } from '../../src/config/load.js';
import { sqlString } from '../../src/db.js';
import { openConfiguredDatabases } from '../../src/enrich/enrich.js';
import { silentLogger } from '../../src/log.js';
import { parseIsoWeek, previousWeek } from '../../src/week.js';
import { analyse } from '../../src/weekly.js';
import { writeAsnArchive } from '../helpers/asn-archive.js';
import { GEOLITE2_2019, MAXMIND_TEST_DATA, SKIP_REASON, hasSharedData } from '../helpers/shared-data.js';
import { runStateDir, tempDir } from '../helpers/temp.js';

const WEEK = parseIsoWeek('2020-W02');
const dir = tempDir();
const exported = path.join(dir, 'weekly-table');

/** Fills the weekly table as the weekly run does, then writes each relation to parquet, as another engine would deliver it. */
const exportingTable: WeeklyTable = {
  async fill(db, request) {
    await archiveWeeklyTable.fill(db, request);
    await mkdir(exported, { recursive: true });
    for (const relation of WEEKLY_TABLE_RELATIONS) {
      await db.run(`COPY ${relation} TO ${sqlString(path.join(exported, `${relation}.parquet`))} (FORMAT parquet)`);
    }
  },
};

/**
 * Reads the relations from those parquet files. It first drops the located
 * sessions, so a later stage that read them instead of the weekly table
 * would fail.
 */
const parquetTable: WeeklyTable = {
  async fill(db) {
    await db.run('DROP TABLE weekly_sources');
    for (const relation of WEEKLY_TABLE_RELATIONS) {
      await db.run(`CREATE OR REPLACE TEMP TABLE ${relation} AS SELECT * FROM read_parquet(${sqlString(path.join(exported, `${relation}.parquet`))})`);
    }
  },
};

async function briefs(config: Config, weeklyTable: WeeklyTable) {
  const geoip = await openConfiguredDatabases(config);
  const result = await analyse({ config: { ...config, state: runStateDir() }, now: new Date('2026-12-04T12:00:00Z'), storeHistory: false, weeklyTable }, WEEK, previousWeek(WEEK), geoip, silentLogger());
  return result.map(({ brief }) => brief);
}

describe.skipIf(!hasSharedData)(`weekly table read through its relations (${SKIP_REASON})`, () => {
  it('gives the same briefs from parquet', async () => {
    const config = validateConfig(
      {
        sources: [{ name: 'edge', format: 'csv', path: writeAsnArchive(dir), fields: { time: 'time', srcIp: 'src', dstPort: 'dport', proto: 'proto', sensor: 'sensor' } }],
        geoip: { country: GEOLITE2_2019, asn: path.join(MAXMIND_TEST_DATA, 'GeoLite2-ASN-Test.mmdb') },
        analysis: { scanners: [{ name: 'Example scanner', networks: ['15.1.0.0/16'] }] },
        top: { countries: 5, ports: 10, networks: 2 },
        output: path.join(dir, 'reports'),
      },
      path.join(dir, 'portbrief.yaml'),
    );

    const fromArchive = await briefs(config, exportingTable);
    const fromParquet = await briefs(config, parquetTable);

    const [brief] = fromArchive;
    expect(brief.countries.map((c) => c.country)).toEqual(['US', 'AU', 'CH']);
    expect(brief.countries[0].topPorts[0].networks.map((n) => n.asn)).toEqual([7018, 174]);
    expect(brief.scanners).toEqual([{ name: 'Example scanner', sessions: 5, sources: 1 }]);
    expect(fromParquet).toEqual(fromArchive);
  });
});
