import { loadConfig } from '../config/load.js';
import type { GeoipDatabases } from './enrich.js';
import { openAsnDatabase, openCountryDatabase } from './geoip-database.js';
import { formatAddressReport, lookupAddresses } from './lookup.js';

export interface GeoipCommandOptions {
  addresses: string[];
  /** Country database file (--db); overrides the config's geoip.country. */
  db?: string;
  /** ASN database file (--asn); overrides the config's geoip.asn. */
  asn?: string;
  /** Config file (--config) whose geoip section names the databases. */
  config?: string;
}

/**
 * Runs `portbrief geoip`: opens the databases named by the options, then by
 * the config, else the embedded country database, and returns one line per
 * address (see formatAddressReport).
 */
export async function runGeoipCommand(options: GeoipCommandOptions): Promise<string[]> {
  const databases = await openDatabases(options);
  const reports = await lookupAddresses(options.addresses, databases);
  return reports.map(formatAddressReport);
}

async function openDatabases(options: GeoipCommandOptions): Promise<GeoipDatabases> {
  const config = options.config === undefined ? undefined : await loadConfig(options.config, { requireSecrets: false });

  const countryFile = options.db ?? config?.geoip.country;
  const countryOrigin = options.db !== undefined ? '--db' : `geoip.country in ${options.config}`;
  const country = await openCountryDatabase(countryFile, countryOrigin);

  const asnFile = options.asn ?? config?.geoip.asn;
  const asnOrigin = options.asn !== undefined ? '--asn' : `geoip.asn in ${options.config}`;
  const asn = asnFile === undefined ? undefined : await openAsnDatabase(asnFile, asnOrigin);

  return { country, asn };
}
