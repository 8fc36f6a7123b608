import path from 'node:path';
import type { Reader } from 'maxmind';

type Metadata = Reader<Record<string, unknown>>['metadata'];

export const EMBEDDED_PACKAGE = '@ip-location-db/geo-whois-asn-country-mmdb';

/** The use of a database in a run: source countries or source networks (autonomous systems). */
export type DatabaseRole = 'country' | 'asn';

/** Facts about a GeoIP database that brief.json and the brief print. */
export interface DatabaseInfo {
  role: DatabaseRole;
  /** A readable name: the database type from its metadata, such as GeoLite2-Country, or the embedded database's name. */
  name: string;
  /** The database type exactly as its metadata states it. */
  type: string;
  /** The English description from the metadata, null when it has none. */
  description: string | null;
  file: string;
  /** The build time from the metadata, ISO 8601 UTC. */
  buildDate: string;
  /** The licence the data is published under, null when not known from the database type. */
  licence: string | null;
  attribution: string;
  embedded: boolean;
}

/**
 * MaxMind published GeoLite2 under CC BY-SA 4.0 until 2019-12-30 and under
 * its GeoLite2 End User License Agreement from then on.
 */
const GEOLITE2_EULA_FROM = Date.parse('2019-12-30T00:00:00Z');

/** Builds the brief's description of a database from its metadata. */
export function describeDatabase(role: DatabaseRole, file: string, metadata: Metadata, embedded: boolean): DatabaseInfo {
  const type = metadata.databaseType;
  // The format stores a map of language to text, although the reader's type declares a string.
  const descriptions = metadata.description as unknown as Record<string, unknown> | undefined;
  const description = descriptions?.en;
  return {
    role,
    name: embedded ? 'geo-whois-asn-country (ip-location-db)' : type,
    type,
    description: typeof description === 'string' && description !== '' ? description : null,
    file: path.basename(file),
    buildDate: metadata.buildEpoch.toISOString(),
    licence: licenceFor(type, metadata.buildEpoch, embedded),
    attribution: attributionFor(type, embedded),
    embedded,
  };
}

function licenceFor(type: string, built: Date, embedded: boolean): string | null {
  if (embedded) return 'CC BY 4.0';
  if (/GeoLite2/i.test(type)) return built.getTime() < GEOLITE2_EULA_FROM ? 'CC BY-SA 4.0' : 'GeoLite2 End User License Agreement';
  if (/GeoIP2/i.test(type)) return 'MaxMind GeoIP2 commercial licence';
  return null;
}

function attributionFor(type: string, embedded: boolean): string {
  if (embedded) {
    return `geo-whois-asn-country from the npm package ${EMBEDDED_PACKAGE}, CC BY 4.0, data from the Number Resource Organization (nro.net). Its maintainer reports known errors in the npm copy.`;
  }
  if (/GeoLite2/i.test(type)) return 'This product includes GeoLite2 data created by MaxMind, available from https://www.maxmind.com.';
  if (/GeoIP2/i.test(type)) return 'GeoIP2 data by MaxMind.';
  return 'The database states no licence; check its provider’s terms.';
}
