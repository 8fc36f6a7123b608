/**
 * Reading the fields portbrief uses from MaxMind-format database records.
 * Both the range-table walk and the `geoip` command use these functions, so a
 * range table and a single lookup always apply the same rule.
 */

/** A record as the maxmind reader returns it; null where the database has no data. */
export type DatabaseRecord = Record<string, unknown> | null;

/**
 * Returns the country of a database record, by this rule:
 *
 * 1. `country.iso_code`: where MaxMind locates the network;
 * 2. else `registered_country.iso_code`: where the network is registered,
 *    for GeoIP2/GeoLite2 records without a location;
 * 3. else the flat `country_code` field of ip-location-db style databases.
 *
 * `represented_country` (military bases, embassies) is not used, because the
 * brief counts where traffic comes from, not whom it represents.
 */
export function countryOfRecord(record: DatabaseRecord): string | null {
  if (!record) return null;
  const country = record.country as { iso_code?: string } | undefined;
  const registered = record.registered_country as { iso_code?: string } | undefined;
  const flat = typeof record.country_code === 'string' ? record.country_code : undefined;
  return country?.iso_code ?? registered?.iso_code ?? flat ?? null;
}

/** The autonomous system of a network: its number and the organisation it is registered to. */
export interface AutonomousSystem {
  asn: number;
  /** '' when the database names no organisation. */
  organisation: string;
}

/**
 * Returns the autonomous system of a GeoLite2-ASN, GeoIP2-ISP or GeoIP2-ASN
 * record (`autonomous_system_number`, `autonomous_system_organization`), or
 * null when the record has no AS number. ISP records without an AS number
 * exist (networks known only by ISP name) and count as not covered.
 */
export function asnOfRecord(record: DatabaseRecord): AutonomousSystem | null {
  if (!record) return null;
  const asn = record.autonomous_system_number;
  if (typeof asn !== 'number' || !Number.isInteger(asn) || asn < 0) return null;
  const organisation = record.autonomous_system_organization;
  return { asn, organisation: typeof organisation === 'string' ? organisation : '' };
}
