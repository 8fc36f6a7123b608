import type { FileQuality } from './archive/load.js';
import type { DatabaseInfo } from './enrich/geoip-database.js';

/** One row of a country's top-ports table. */
export interface PortRow {
  rank: number;
  port: number;
  /** IANA service name, '' where the registry has none. */
  service: string;
  registryStatus: 'assigned' | 'unassigned' | 'reserved';
  sessions: number;
  /** Distinct source addresses. */
  sources: number;
  /** Fraction (0-1) of the country's sessions in the week, port-less sessions included. */
  share: number;
  /** Rank in the previous week, null when the port was not ranked then. */
  previousRank: number | null;
  newEntrant: boolean;
}

export interface CountrySection {
  /** ISO 3166-1 alpha-2 code. */
  country: string;
  name: string;
  sessions: number;
  sources: number;
  /** Fraction (0-1) of all sessions with a country in the week. */
  share: number;
  topPorts: PortRow[];
}

/** The typed model every template and brief.json are made from. */
export interface Brief {
  client: { id: string; name: string };
  title: string;
  organisation: string | null;
  tlp: string;
  week: string;
  /** Monday of the week, YYYY-MM-DD. */
  weekStart: string;
  /** Sunday of the week, YYYY-MM-DD (the week runs to Sunday 24:00 UTC). */
  weekEnd: string;
  previousWeek: string;
  /** Whether the archive has sessions in the previous week, so new entrants could be found. */
  comparisonAvailable: boolean;
  generatedAt: string;
  database: DatabaseInfo;
  registry: { name: string; updated: string | null };
  /** Rows of the client's archive files, whatever their week. */
  totals: { rowsRead: number; accepted: number; rejected: number };
  files: FileQuality[];
  rejectReasons: Array<{ reason: string; rows: number }>;
  /** Records of the archive files that are no sessions (Suricata alert events, other syslog lines), by kind; not rows read. */
  skippedRecords: Array<{ kind: string; records: number }>;
  /** Files whose end is damaged (a truncated gzip stream, a last line cut off); their complete rows were read. */
  damagedFiles: Array<{ file: string; damage: string }>;
  /** The report week's accepted sessions and how their sources were located. */
  weekTotals: { sessions: number; located: number; countries: number; byStatus: Array<{ status: string; sessions: number }> };
  /** How many ports each country's table shows (top N). */
  portsShown: number;
  countries: CountrySection[];
  newEntrants: Array<{ country: string; name: string; port: number; service: string; rank: number; sources: number }>;
  archiveWeeks: string[];
}
