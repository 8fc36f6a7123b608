import type { Config } from '../config/load.js';
import type { Database } from '../db.js';
import type { Logger } from '../log.js';
import type { IsoWeek } from '../week.js';
import { databaseAgeWarnings } from './database-age.js';
import type { DatabaseInfo } from './database-info.js';
import { type GeoipDatabase, openAsnDatabase, openCountryDatabase } from './geoip-database.js';
import { loadAsnRangeTable, loadRangeTable } from './range-cache.js';

/** The databases of a run: always a country database, an ASN database when configured. */
export interface GeoipDatabases {
  country: GeoipDatabase;
  asn?: GeoipDatabase;
}

/** Opens the databases the config names (the embedded country database when it names none). */
export async function openConfiguredDatabases(config: Pick<Config, 'file' | 'geoip'>): Promise<GeoipDatabases> {
  const country = await openCountryDatabase(config.geoip.country, `geoip.country in ${config.file}`);
  const asn = config.geoip.asn === undefined ? undefined : await openAsnDatabase(config.geoip.asn, `geoip.asn in ${config.file}`);
  return { country, asn };
}

/** Lists the databases' descriptions in the order the brief prints them: country, then ASN. */
export function databaseInfos(databases: GeoipDatabases): DatabaseInfo[] {
  return databases.asn ? [databases.country.info, databases.asn.info] : [databases.country.info];
}

/**
 * Returns the warnings about the databases' build dates for a report week
 * and writes each to the run log, so the log and the brief carry the same text.
 */
export function checkDatabaseAges(databases: GeoipDatabases, week: IsoWeek, log: Logger): string[] {
  const warnings = databaseInfos(databases).flatMap((info) => databaseAgeWarnings(info, week));
  for (const warning of warnings) log.warn(warning);
  return warnings;
}

/**
 * Builds the table sessions: every accepted session of [from, to) with its
 * client, country or special-purpose label, and autonomous system. Needs
 * sessions_all and sensor_clients; loads the range tables (from their cache
 * when it exists) and the special-purpose blocks.
 */
export async function enrichSessions(
  db: Database,
  databases: GeoipDatabases,
  window: { from: Date; to: Date },
  stateDir: string,
  log: Logger,
  scanners: ScannerNetworks = [],
): Promise<void> {
  await loadRangeTable(db, databases.country, stateDir, log);
  await loadAsnRangeTable(db, databases.asn, stateDir, log);
  await db.runFile('special_ranges.sql');
  await loadScannerNetworks(db, scanners);
  await db.runScript('enrich.sql', { from: window.from.toISOString(), to: window.to.toISOString() });
}

/** Known scanner networks from the config: a name and its CIDR blocks. */
export type ScannerNetworks = Array<{ name: string; networks: string[] }>;

/** Loads known scanner networks into scanner_ranges; their sessions are counted apart from the rankings. */
async function loadScannerNetworks(db: Database, scanners: ScannerNetworks): Promise<void> {
  await db.run('CREATE OR REPLACE TABLE scanner_networks (name VARCHAR NOT NULL, cidr VARCHAR NOT NULL)');
  const appender = await db.connection.createAppender('scanner_networks');
  try {
    for (const scanner of scanners) {
      for (const network of scanner.networks) {
        appender.appendVarchar(scanner.name);
        appender.appendVarchar(network);
        appender.endRow();
      }
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
  await db.runFile('scanner_ranges.sql');
}
