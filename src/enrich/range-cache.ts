import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { type Database, sqlString } from '../db.js';
import { EXIT, PortbriefError, messageOf } from '../errors.js';
import type { Logger } from '../log.js';
import { countryOfRecord, type GeoipDatabase } from './geoip-database.js';
import { walkCountryRanges } from './range-walk.js';

const LOW_64 = (1n << 64n) - 1n;

/**
 * Loads the database's country ranges into the table geo_ranges
 * (start_key, end_key, country), walking the database only when no parquet
 * cache exists for its build epoch and content hash.
 */
export async function loadRangeTable(db: Database, geoip: GeoipDatabase, stateDir: string, log: Logger): Promise<void> {
  const cacheDir = path.join(stateDir, 'geoip');
  const epoch = Math.floor(Date.parse(geoip.info.buildDate) / 1000);
  const cacheFile = path.join(cacheDir, `${path.parse(geoip.info.file).name}-${epoch}-${geoip.sha256.slice(0, 16)}.parquet`);

  if (!(await exists(cacheFile))) {
    const started = performance.now();
    await mkdir(cacheDir, { recursive: true });
    const rows = await writeRangeParquet(db, geoip, cacheFile);
    log.info({ database: geoip.info.file, ranges: rows, ms: Math.round(performance.now() - started) }, 'GeoIP range table built');
  }

  await db.run(
    `CREATE OR REPLACE TEMP TABLE geo_ranges AS
     SELECT key_from_halves(start_hi, start_lo) AS start_key, key_from_halves(end_hi, end_lo) AS end_key, country
     FROM read_parquet(${sqlString(cacheFile)})
     ORDER BY start_key`,
    undefined,
    `the GeoIP range cache ${cacheFile}`,
  );
}

async function writeRangeParquet(db: Database, geoip: GeoipDatabase, cacheFile: string): Promise<number> {
  await db.run(`CREATE OR REPLACE TABLE geo_ranges_build (start_hi UBIGINT, start_lo UBIGINT, end_hi UBIGINT, end_lo UBIGINT, country VARCHAR)`);
  const appender = await db.connection.createAppender('geo_ranges_build');
  let rows = 0;
  try {
    const lookup = (ip: string) => geoip.reader.getWithPrefixLength(ip);
    for (const range of walkCountryRanges(lookup, geoip.ipVersion, countryOfRecord)) {
      appender.appendUBigInt(range.start >> 64n);
      appender.appendUBigInt(range.start & LOW_64);
      appender.appendUBigInt(range.end >> 64n);
      appender.appendUBigInt(range.end & LOW_64);
      appender.appendVarchar(range.country);
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

  // A database with no country anywhere is the wrong kind or has a broken tree;
  // using it would label every session unknown.
  if (rows === 0) {
    await db.run('DROP TABLE IF EXISTS geo_ranges_build');
    throw new PortbriefError(
      `GeoIP database ${geoip.info.file} (${geoip.info.name}) has no country data: no network has a country code. Use a GeoLite2/GeoIP2 Country or City database.`,
      { exitCode: EXIT.usage },
    );
  }

  // Written under a temporary name and renamed, so a killed run leaves no half cache.
  const partial = `${cacheFile}.${process.pid}.tmp`;
  try {
    await db.run(`COPY geo_ranges_build TO ${sqlString(partial)} (FORMAT parquet)`, undefined, 'the GeoIP range cache');
    await rename(partial, cacheFile);
  } finally {
    await rm(partial, { force: true });
    await db.run('DROP TABLE IF EXISTS geo_ranges_build');
  }
  return rows;
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

