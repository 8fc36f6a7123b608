import { Database } from '../db.js';
import { EXIT, PortbriefError } from '../errors.js';
import { keyOfCanonical, networkCidr } from './address.js';
import type { GeoipDatabases } from './enrich.js';
import type { GeoipDatabase } from './geoip-database.js';
import { asnOfRecord, countryOfRecord } from './records.js';

/** The `geoip` command's result for one address. */
export interface AddressReport {
  /** The address as given. */
  address: string;
  /** An ISO country code, a special-purpose label such as 'private', or 'unknown'. */
  location: string;
  /** The country database's network that contains the address, or the special-purpose block. Null when not covered. */
  network: string | null;
  asn: number | null;
  organisation: string | null;
  /** The ASN database's network that contains the address. Null without an ASN database or when not covered. */
  asnNetwork: string | null;
}

/**
 * Looks up addresses the way the weekly run attributes them: special-purpose
 * blocks first (the same queries/special_ranges.sql), then the country and
 * ASN databases with the same record rules. It calls the maxmind reader per
 * address, which is fast enough for a command line of addresses and returns
 * the exact network (CIDR), which a merged range table does not keep.
 * Throws a usage error listing every text that is no IP address.
 */
export async function lookupAddresses(addresses: string[], databases: GeoipDatabases): Promise<AddressReport[]> {
  const parsed = await parseAddresses(addresses);

  const invalid = parsed.filter((row) => row.canonical === null).map((row) => `'${row.address}'`);
  if (invalid.length > 0) {
    throw new PortbriefError(
      `Invalid IP ${invalid.length === 1 ? 'address' : 'addresses'} ${invalid.join(', ')}: write IPv4 as a.b.c.d (or a decimal integer) and IPv6 as hex groups such as 2001:db8::1.`,
      { exitCode: EXIT.usage },
    );
  }

  return parsed.map((row) => {
    const key = keyOfCanonical(row.canonical!);
    if (row.label !== null) {
      return { address: row.address, location: row.label, network: row.block, asn: null, organisation: null, asnNetwork: null };
    }

    const [countryRecord, countryPrefix] = lookup(databases.country, row.canonical!);
    const country = countryOfRecord(countryRecord);
    const [asnRecord, asnPrefix] = databases.asn ? lookup(databases.asn, row.canonical!) : [null, 0];
    const system = asnOfRecord(asnRecord);
    return {
      address: row.address,
      location: country ?? 'unknown',
      network: countryRecord === null ? null : networkCidr(key, countryPrefix),
      asn: system?.asn ?? null,
      organisation: system === null ? null : system.organisation,
      asnNetwork: system === null ? null : networkCidr(key, asnPrefix),
    };
  });
}

/** Formats a report as one tab-separated line: address, country or label, network, ASN, organisation, ASN network ('-' where empty). */
export function formatAddressReport(report: AddressReport): string {
  const fields = [
    report.address,
    report.location,
    report.network ?? '-',
    report.asn === null ? '-' : `AS${report.asn}`,
    report.organisation || '-',
    report.asnNetwork ?? '-',
  ];
  return fields.join('\t');
}

interface ParsedAddress {
  address: string;
  canonical: string | null;
  label: string | null;
  block: string | null;
}

/** Parses and labels the addresses with the archive's own SQL macros, so the command reads text exactly as a weekly run does. */
async function parseAddresses(addresses: string[]): Promise<ParsedAddress[]> {
  const db = await Database.open();
  try {
    await db.run('CREATE TEMP TABLE lookup_input (position INTEGER, address VARCHAR)');
    const appender = await db.connection.createAppender('lookup_input', 'main', 'temp');
    try {
      addresses.forEach((address, position) => {
        appender.appendInteger(position);
        appender.appendVarchar(address);
        appender.endRow();
      });
      appender.flushSync();
    } finally {
      appender.closeSync();
    }

    await db.runFile('special_ranges.sql');
    const rows = await db.queryFile('address_labels.sql');
    return rows.map((row) => ({
      address: String(row.address),
      canonical: row.canonical === null ? null : String(row.canonical),
      label: row.label === null ? null : String(row.label),
      block: row.block === null ? null : String(row.block),
    }));
  } finally {
    db.close();
  }
}

/** Returns the record and prefix length for an address. An IPv6 address in an IPv4-only database is not covered. */
function lookup(database: GeoipDatabase, canonical: string): [Record<string, unknown> | null, number] {
  if (database.ipVersion === 4 && canonical.includes(':')) return [null, 0];
  return database.reader.getWithPrefixLength(canonical);
}
