/**
 * Measures how far two country databases agree on real source addresses, and
 * how long each range table takes to build. It reads the distinct sources of
 * the marx honeypot archive (marx-honeypot/marx.csv.gz) and the ufw firewall
 * logs (ufw-vps-2024/*.log.gz), locates them with the range-table join of the
 * weekly run, once per database, and prints a Markdown report.
 *
 * Usage: node --import tsx scripts/geoip-agreement.ts [--data DIR] [--a FILE] [--b FILE] [--runs N]
 *   --data  folder holding marx-honeypot/ and ufw-vps-2024/ (default: $PORTBRIEF_SHARED_DATA, else ../shared/data)
 *   --a     first country database (default: the embedded one)
 *   --b     second country database (default: DATA/geolite2-country-2019-ccbysa/GeoLite2-Country_build-2019-12-24.mmdb)
 *   --runs  range-table builds per database for the timing table (default: 3); the median is reported
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Database, sqlString } from '../src/db.js';
import { type GeoipDatabase, openAsnDatabase, openCountryDatabase } from '../src/enrich/geoip-database.js';
import { loadAsnRangeTable, loadRangeTable } from '../src/enrich/range-cache.js';
import { silentLogger } from '../src/log.js';
import { PROJECT_ROOT } from '../src/paths.js';

const { values: options } = parseArgs({
  options: {
    data: { type: 'string', default: process.env.PORTBRIEF_SHARED_DATA ?? path.join(PROJECT_ROOT, '..', 'shared', 'data') },
    a: { type: 'string' },
    b: { type: 'string' },
    runs: { type: 'string', default: '3' },
  },
});
const dataDir = path.resolve(options.data!);
const fileB = options.b ?? path.join(dataDir, 'geolite2-country-2019-ccbysa', 'GeoLite2-Country_build-2019-12-24.mmdb');
const runs = Number(options.runs);

/** Loads the distinct source addresses of both archives into the table sources (archive, ip_key). */
async function loadSources(db: Database): Promise<void> {
  const marx = path.join(dataDir, 'marx-honeypot', 'marx.csv.gz');
  const ufw = path.join(dataDir, 'ufw-vps-2024', '*.log.gz');
  // ufw lines are read whole: the delimiter byte 0x01 never occurs in them.
  await db.run(`
    CREATE OR REPLACE TEMP TABLE sources AS
    SELECT DISTINCT 'marx' AS archive, ip_key(src) AS ip_key FROM read_csv(${sqlString(marx)}, all_varchar = true)
    UNION ALL
    SELECT DISTINCT 'ufw', ip_key(regexp_extract(line, ' SRC=([0-9A-Fa-f.:]+) ', 1))
    FROM read_csv(${sqlString(ufw)}, columns = {'line': 'VARCHAR'}, delim = E'\\x01', quote = '', escape = '', header = false, auto_detect = false)
    WHERE regexp_extract(line, ' SRC=([0-9A-Fa-f.:]+) ', 1) <> ''`);
}

/** Builds a database's range table in an empty state folder, so nothing comes from a cache, and returns the time in ms. */
async function timeBuild(db: Database, geoip: GeoipDatabase): Promise<number> {
  const state = mkdtempSync(path.join(os.tmpdir(), 'portbrief-agreement-'));
  try {
    const started = performance.now();
    if (geoip.info.role === 'country') await loadRangeTable(db, geoip, state, silentLogger());
    else await loadAsnRangeTable(db, geoip, state, silentLogger());
    return performance.now() - started;
  } finally {
    rmSync(state, { recursive: true, force: true });
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)];
}

async function timingRows(db: Database, databases: GeoipDatabase[]): Promise<string[]> {
  const rows = ['| database | type | build date | ranges | build time (median of ' + runs + ') |', '|---|---|---|--:|--:|'];
  for (const geoip of databases) {
    const times: number[] = [];
    for (let run = 0; run < runs; run++) times.push(await timeBuild(db, geoip));
    const table = geoip.info.role === 'country' ? 'geo_ranges' : 'asn_ranges';
    const ranges = (await db.query(`SELECT count(*)::INTEGER AS n FROM ${table}`))[0].n as number;
    const ms = median(times);
    const time = ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
    rows.push(`| ${geoip.info.file} | ${geoip.info.type} | ${geoip.info.buildDate.slice(0, 10)} | ${ranges.toLocaleString('en-US')} | ${time} |`);
  }
  return rows;
}

/** Locates every source with one database and stores archive, ip_key and label (country, special label or 'unknown') as `table`. */
async function locateWith(db: Database, geoip: GeoipDatabase, table: string, state: string): Promise<void> {
  await loadRangeTable(db, geoip, state, silentLogger());
  await db.run(`
    CREATE OR REPLACE TEMP TABLE ${table} AS
    SELECT s.archive, s.ip_key,
           CASE WHEN sp.end_key >= s.ip_key THEN sp.label WHEN g.end_key >= s.ip_key THEN g.country ELSE 'unknown' END AS label
    FROM sources AS s
    ASOF LEFT JOIN geo_ranges AS g ON s.ip_key >= g.start_key
    ASOF LEFT JOIN special_ranges AS sp ON s.ip_key >= sp.start_key`);
}

async function agreementRows(db: Database): Promise<string[]> {
  const stats = await db.query(`
    WITH pairs AS (
        SELECT a.archive, a.label AS a, b.label AS b FROM located_a AS a JOIN located_b AS b USING (archive, ip_key)
    ),
    counted AS (
        SELECT archive,
               count(*) AS sources,
               count(*) FILTER (WHERE NOT regexp_full_match(a, '[A-Z]{2}|unknown')) AS special,
               count(*) FILTER (WHERE regexp_full_match(a, '[A-Z]{2}') AND regexp_full_match(b, '[A-Z]{2}')) AS both_located,
               count(*) FILTER (WHERE regexp_full_match(a, '[A-Z]{2}') AND a = b) AS agree,
               count(*) FILTER (WHERE regexp_full_match(a, '[A-Z]{2}') AND regexp_full_match(b, '[A-Z]{2}') AND a <> b) AS disagree,
               count(*) FILTER (WHERE regexp_full_match(a, '[A-Z]{2}') AND b = 'unknown') AS only_a,
               count(*) FILTER (WHERE a = 'unknown' AND regexp_full_match(b, '[A-Z]{2}')) AS only_b,
               count(*) FILTER (WHERE a = 'unknown' AND b = 'unknown') AS neither
        FROM pairs GROUP BY GROUPING SETS ((archive), ())
    )
    SELECT coalesce(archive, 'both') AS archive, sources::INTEGER AS sources, special::INTEGER AS special,
           both_located::INTEGER AS both_located, agree::INTEGER AS agree, disagree::INTEGER AS disagree,
           only_a::INTEGER AS only_a, only_b::INTEGER AS only_b, neither::INTEGER AS neither
    FROM counted ORDER BY archive = 'both', archive`);

  const rows = [
    '| archive | distinct sources | special-purpose | located by both | same country | different country | agreement | only A | only B | neither |',
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
  ];
  for (const row of stats) {
    const n = (key: string) => (row[key] as number).toLocaleString('en-US');
    const rate = ((100 * (row.agree as number)) / (row.both_located as number)).toFixed(2);
    rows.push(`| ${row.archive} | ${n('sources')} | ${n('special')} | ${n('both_located')} | ${n('agree')} | ${n('disagree')} | ${rate}% | ${n('only_a')} | ${n('only_b')} | ${n('neither')} |`);
  }
  return rows;
}

async function disagreementRows(db: Database): Promise<string[]> {
  const pairs = await db.query(`
    SELECT a.label AS a, b.label AS b, count(*)::INTEGER AS sources,
           count(*) FILTER (WHERE a.archive = 'marx')::INTEGER AS marx, count(*) FILTER (WHERE a.archive = 'ufw')::INTEGER AS ufw
    FROM located_a AS a JOIN located_b AS b USING (archive, ip_key)
    WHERE regexp_full_match(a.label, '[A-Z]{2}') AND regexp_full_match(b.label, '[A-Z]{2}') AND a.label <> b.label
    GROUP BY ALL ORDER BY sources DESC, a, b LIMIT 15`);
  const rows = ['| A says | B says | sources | marx | ufw |', '|---|---|--:|--:|--:|'];
  for (const row of pairs) rows.push(`| ${row.a} | ${row.b} | ${row.sources} | ${row.marx} | ${row.ufw} |`);
  return rows;
}

async function main(): Promise<void> {
  const a = await openCountryDatabase(options.a, options.a === undefined ? 'the embedded database' : '--a');
  const b = await openCountryDatabase(fileB, '--b');
  const testData = path.join(dataDir, 'maxmind-test-data');
  const timed = [
    a,
    b,
    await openCountryDatabase(path.join(testData, 'GeoIP2-City-Test.mmdb'), 'the test data'),
    await openAsnDatabase(path.join(testData, 'GeoLite2-ASN-Test.mmdb'), 'the test data'),
    await openAsnDatabase(path.join(testData, 'GeoIP2-ISP-Test.mmdb'), 'the test data'),
  ];

  const db = await Database.open();
  const state = mkdtempSync(path.join(os.tmpdir(), 'portbrief-agreement-'));
  try {
    await db.runFile('special_ranges.sql');
    await loadSources(db);
    await locateWith(db, a, 'located_a', state);
    await locateWith(db, b, 'located_b', state);

    const lines = [
      `A: ${a.info.name} (${a.info.file}, built ${a.info.buildDate.slice(0, 10)})`,
      `B: ${b.info.name} (${b.info.file}, built ${b.info.buildDate.slice(0, 10)})`,
      '',
      ...(await agreementRows(db)),
      '',
      'Top disagreeing country pairs:',
      '',
      ...(await disagreementRows(db)),
      '',
      `Range-table builds on ${os.cpus()[0]?.model ?? 'an unknown CPU'} (${os.cpus().length} cores), Node ${process.version}:`,
      '',
      ...(await timingRows(db, timed)),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    db.close();
    rmSync(state, { recursive: true, force: true });
  }
}

await main();
