import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { DuckDBAppender } from '@duckdb/node-api';
import { type Database, sqlString } from '../db.js';
import { EXIT, PortbriefError, messageOf } from '../errors.js';
import type { Logger } from '../log.js';
import type { GeoipDatabase } from './geoip-database.js';
import { type RangeValue, walkRanges } from './range-walk.js';
import { type AutonomousSystem, asnOfRecord, countryOfRecord } from './records.js';
import { makeFolder } from '../make-folder.js';
import { fileExists } from '../file-exists.js';

const LOW_64 = (1n << 64n) - 1n;

/** The reading, caching and loading of one kind of range table. */
interface RangeTableSpec<T> {
  /** The temp table the enrichment join reads. */
  table: string;
  /** Column definitions after the four key halves, for the parquet cache. */
  valueColumns: string;
  /** The select list of value columns when loading the cache. */
  valueSelect: string;
  reading: RangeValue<T>;
  append: (appender: DuckDBAppender, value: T) => void;
  /** The error text for a database without any such value: what it lacks and what to use instead. */
  missing: string;
}

const COUNTRY_TABLE: RangeTableSpec<string> = {
  table: 'geo_ranges',
  valueColumns: 'country VARCHAR',
  valueSelect: 'country',
  reading: { valueOf: countryOfRecord, keyOf: (country) => country },
  append: (appender, country) => appender.appendVarchar(country),
  missing: 'country data: no network has a country code. Use a GeoLite2/GeoIP2 Country or City database',
};

const ASN_TABLE: RangeTableSpec<AutonomousSystem> = {
  table: 'asn_ranges',
  valueColumns: 'asn UINTEGER, as_org VARCHAR',
  valueSelect: 'asn, as_org',
  reading: { valueOf: asnOfRecord, keyOf: (system) => `${system.asn}\n${system.organisation}` },
  append: (appender, system) => {
    appender.appendUInteger(system.asn);
    appender.appendVarchar(system.organisation);
  },
  missing: 'ASN data: no network has an autonomous system number. Use a GeoLite2-ASN or GeoIP2-ISP database',
};

/**
 * Loads the database's country ranges into the table geo_ranges
 * (start_key, end_key, country), walking the database only when no parquet
 * cache exists for its build epoch and content hash.
 */
export function loadRangeTable(db: Database, geoip: GeoipDatabase, stateDir: string, log: Logger): Promise<void> {
  return loadRanges(db, geoip, COUNTRY_TABLE, stateDir, log);
}

/**
 * Loads the ASN database's ranges into the table asn_ranges
 * (start_key, end_key, asn, as_org), cached like the country ranges. Without
 * a database the table is created empty, so the enrichment SQL is the same
 * with or without one.
 */
export async function loadAsnRangeTable(db: Database, geoip: GeoipDatabase | undefined, stateDir: string, log: Logger): Promise<void> {
  if (geoip) return loadRanges(db, geoip, ASN_TABLE, stateDir, log);
  await db.run(`CREATE OR REPLACE TEMP TABLE asn_ranges (start_key UHUGEINT, end_key UHUGEINT, ${ASN_TABLE.valueColumns})`);
}

/** Returns the parquet cache file of a database's range table; a changed file gets a new name through its hash. */
export function rangeCacheFile(geoip: GeoipDatabase, stateDir: string): string {
  const epoch = Math.floor(Date.parse(geoip.info.buildDate) / 1000);
  const name = `${geoip.info.role}-${path.parse(geoip.info.file).name}-${epoch}-${geoip.sha256.slice(0, 16)}.parquet`;
  return path.join(stateDir, 'geoip', name);
}

async function loadRanges<T>(db: Database, geoip: GeoipDatabase, spec: RangeTableSpec<T>, stateDir: string, log: Logger): Promise<void> {
  const cacheFile = rangeCacheFile(geoip, stateDir);
  let from = `read_parquet(${sqlString(cacheFile)})`;

  const buildTable = `${spec.table}_build`;
  if (!(await fileExists(cacheFile))) {
    const started = performance.now();
    const rows = await buildRanges(db, geoip, spec, buildTable);
    log.info({ database: geoip.info.file, role: geoip.info.role, ranges: rows, ms: Math.round(performance.now() - started) }, 'GeoIP range table built');
    try {
      await writeRangeCache(db, buildTable, cacheFile);
    } catch (error) {
      // The cache only saves later runs the walk, so this run goes on with the ranges it built.
      log.warn(
        { cacheFile, err: messageOf(error) },
        'GeoIP range cache not written; this run uses the ranges it built and the next run builds them again. Free space in the state folder or make it writable to keep the cache.',
      );
      from = buildTable;
    }
  }

  // No ORDER BY: the ASOF joins sort the ranges themselves, and sorting
  // half a million ranges here cost about a third of the load.
  try {
    await db.run(
      `CREATE OR REPLACE TEMP TABLE ${spec.table} AS
       SELECT key_from_halves(start_hi, start_lo) AS start_key, key_from_halves(end_hi, end_lo) AS end_key, ${spec.valueSelect}
       FROM ${from}`,
      undefined,
      `the GeoIP range cache ${cacheFile}`,
    );
  } finally {
    await db.run(`DROP TABLE IF EXISTS ${buildTable}`);
  }
}

/** Writes the built ranges to the parquet cache, under a temporary name renamed at the end, so a killed run leaves no half cache. */
async function writeRangeCache(db: Database, buildTable: string, cacheFile: string): Promise<void> {
  await makeFolder(path.dirname(cacheFile));
  const partial = `${cacheFile}.${process.pid}.tmp`;
  try {
    await db.run(`COPY ${buildTable} TO ${sqlString(partial)} (FORMAT parquet)`, undefined, 'the GeoIP range cache');
    await rename(partial, cacheFile);
  } finally {
    await rm(partial, { force: true });
  }
}

/** Walks the database's networks into `buildTable` (the four key halves and the values) and returns how many ranges it contains. */
async function buildRanges<T>(db: Database, geoip: GeoipDatabase, spec: RangeTableSpec<T>, buildTable: string): Promise<number> {
  await db.run(`CREATE OR REPLACE TABLE ${buildTable} (start_hi UBIGINT, start_lo UBIGINT, end_hi UBIGINT, end_lo UBIGINT, ${spec.valueColumns})`);
  const appender = await db.connection.createAppender(buildTable);
  let rows = 0;
  try {
    const lookup = (ip: string) => geoip.reader.getWithPrefixLength(ip);
    for (const range of walkRanges(lookup, geoip.ipVersion, spec.reading)) {
      appender.appendUBigInt(range.start >> 64n);
      appender.appendUBigInt(range.start & LOW_64);
      appender.appendUBigInt(range.end >> 64n);
      appender.appendUBigInt(range.end & LOW_64);
      spec.append(appender, range.value);
      appender.endRow();
      rows++;
    }
    appender.flushSync();
  } catch (error) {
    throw new PortbriefError(`GeoIP database ${geoip.info.file} is damaged: reading its networks failed (${messageOf(error)}). Replace the file.`, {
      cause: error,
    });
  } finally {
    appender.closeSync();
  }

  // A database without a single value is the wrong kind or has a broken tree;
  // using it would label every session unknown.
  if (rows === 0) {
    await db.run(`DROP TABLE IF EXISTS ${buildTable}`);
    throw new PortbriefError(`GeoIP database ${geoip.info.file} (${geoip.info.name}) has no ${spec.missing}.`, {
      exitCode: EXIT.usage,
    });
  }

  return rows;
}

