import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Reader } from 'maxmind';
import { EXIT, PortbriefError, messageOf } from '../errors.js';

const EMBEDDED_PACKAGE = '@ip-location-db/geo-whois-asn-country-mmdb';

/** Facts about the GeoIP database that the brief prints. */
export interface DatabaseInfo {
  /** A readable name: the database type from its metadata, such as GeoLite2-Country, or the embedded database's name. */
  name: string;
  /** The database type exactly as its metadata states it. */
  type: string;
  file: string;
  /** The build time from the metadata, ISO 8601 UTC. */
  buildDate: string;
  attribution: string;
  embedded: boolean;
}

/** An open MaxMind-format database with its metadata and content hash. */
export interface GeoipDatabase {
  info: DatabaseInfo;
  reader: Reader<Record<string, unknown>>;
  ipVersion: 4 | 6;
  /** SHA-256 of the file, part of the range-table cache key. */
  sha256: string;
}

/** Path of the embedded default: the NRO-derived country database from npm. */
export function embeddedDatabasePath(): string {
  const require = createRequire(import.meta.url);
  const packageDir = path.dirname(require.resolve(`${EMBEDDED_PACKAGE}/package.json`));
  return path.join(packageDir, 'geo-whois-asn-country.mmdb');
}

/**
 * Opens a country database. Throws an error naming the file when it is
 * missing, unreadable, damaged, or of a type without countries (an ASN
 * database given as the country database).
 */
export async function openCountryDatabase(file: string | undefined, configFile: string): Promise<GeoipDatabase> {
  const embedded = file === undefined;
  const dbFile = file ?? embeddedDatabasePath();
  const fix = embedded
    ? `Reinstall the npm package ${EMBEDDED_PACKAGE} (npm ci).`
    : `Check geoip.country in ${configFile}; it must name a GeoLite2/GeoIP2 Country or City .mmdb file.`;

  let buffer: Buffer;
  try {
    buffer = await readFile(dbFile);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : messageOf(error);
    throw new PortbriefError(`GeoIP database ${dbFile}: ${reason}. ${fix}`, { exitCode: EXIT.usage, cause: error });
  }

  let reader: Reader<Record<string, unknown>>;
  try {
    reader = new Reader<Record<string, unknown>>(buffer);
    // A database can open with a readable metadata section and a broken tree:
    // one lookup walks the tree far enough to find most such damage early.
    reader.get('1.1.1.1');
  } catch (error) {
    throw new PortbriefError(`GeoIP database ${dbFile} is not a valid MaxMind database (${messageOf(error)}). ${fix}`, {
      exitCode: EXIT.usage,
      cause: error,
    });
  }

  const metadata = reader.metadata;
  const damage = treeDamage(buffer, metadata.searchTreeSize);
  if (damage) {
    throw new PortbriefError(`GeoIP database ${dbFile} is damaged: ${damage}. ${fix}`, { exitCode: EXIT.usage });
  }
  if (/ASN|ISP|Connection-Type|Domain|Anonymous/i.test(metadata.databaseType)) {
    throw new PortbriefError(
      `GeoIP database ${dbFile} is a ${metadata.databaseType} database, which has no country data. ${fix}`,
      { exitCode: EXIT.usage },
    );
  }

  return {
    info: {
      name: embedded ? 'geo-whois-asn-country (ip-location-db)' : metadata.databaseType,
      type: metadata.databaseType,
      file: path.basename(dbFile),
      buildDate: metadata.buildEpoch.toISOString(),
      attribution: attributionFor(metadata.databaseType, embedded),
      embedded,
    },
    reader,
    ipVersion: metadata.ipVersion === 4 ? 4 : 6,
    sha256: createHash('sha256').update(buffer).digest('hex'),
  };
}

/**
 * Checks the layout the MaxMind DB format fixes: the search tree
 * (node count x record size) is followed by 16 zero bytes that separate it
 * from the data section. A wrong node count or a cut file breaks this.
 */
function treeDamage(buffer: Buffer, searchTreeSize: number): string | null {
  const separator = buffer.subarray(searchTreeSize, searchTreeSize + 16);
  if (separator.length < 16) return `the file ends inside its search tree (${buffer.length} bytes, tree needs ${searchTreeSize + 16})`;
  if (separator.some((byte) => byte !== 0)) return 'the metadata node count does not match the search tree (no data-section separator after the tree)';
  return null;
}

function attributionFor(databaseType: string, embedded: boolean): string {
  if (embedded) {
    return `geo-whois-asn-country from the npm package ${EMBEDDED_PACKAGE}, CC BY 4.0, data from the Number Resource Organization (nro.net). Its maintainer reports known errors in the npm copy.`;
  }
  if (/GeoLite2/i.test(databaseType)) return 'This product includes GeoLite2 data created by MaxMind, available from https://www.maxmind.com.';
  if (/GeoIP2/i.test(databaseType)) return 'GeoIP2 data by MaxMind.';
  return 'Licence as stated by the database provider.';
}

/**
 * Returns the country of a database record. The rule: `country.iso_code`, else
 * `registered_country.iso_code` (where the network is registered, used when
 * MaxMind has no location), else the flat `country_code` layout.
 */
export function countryOfRecord(record: Record<string, unknown> | null): string | null {
  if (!record) return null;
  const country = record.country as { iso_code?: string } | undefined;
  const registered = record.registered_country as { iso_code?: string } | undefined;
  const flat = typeof record.country_code === 'string' ? record.country_code : undefined;
  return country?.iso_code ?? registered?.iso_code ?? flat ?? null;
}
