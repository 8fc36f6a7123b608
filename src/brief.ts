import type { FileQuality } from './archive/load.js';
import type { AnalysisSettings, Finding, PortInsight } from './analyse/findings.js';
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
  /** The analyst note on the port, when the notes file has one. */
  note: { text: string | null; tags: string[]; references: string[] } | null;
  /** Baseline, first-seen, surge and trend figures for the port. */
  insight: PortInsight;
  /** The port's top source networks, best first; empty without an ASN database. */
  networks: NetworkRow[];
}

/** Neighbouring ports in a country's top 20, reported together. */
export interface PortCluster {
  /** The service of a noted port in the cluster (RDP), or null. */
  service: string | null;
  ports: Array<{ port: number; rank: number; sessions: number; sources: number }>;
}

/** One autonomous system among the sources of a country's port. */
export interface NetworkRow {
  asn: number;
  /** The AS organisation as the ASN database names it, '' when it names none. */
  organisation: string;
  sessions: number;
  /** Distinct source addresses. */
  sources: number;
  /** Fraction (0-1) of the port's sessions from the country. */
  share: number;
}

/** The report week's sessions with one geo status: located in a country, a special-purpose block, or unknown. */
export interface StatusRow {
  /** 'country', 'unknown' or a special-purpose label such as 'private'. */
  status: string;
  /** The status as the brief prints it. */
  label: string;
  sessions: number;
  /** Fraction (0-1) of the week's sessions. */
  share: number;
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
  /** Whether the country has data in enough earlier weeks for the baseline. */
  baselineEstablished: boolean;
  /** The earlier weeks the baseline is made of, newest first. */
  baselineWeeks: string[];
  clusters: PortCluster[];
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
  /** The country database, then the ASN database when one is configured. */
  databases: DatabaseInfo[];
  /** Warnings about the databases' age relative to the report week, also written to the run log. */
  databaseWarnings: string[];
  registry: { name: string; updated: string | null };
  /** Rows of the client's archive files, whatever their week. */
  totals: { rowsRead: number; accepted: number; rejected: number };
  /** The client's archive files, named as displayPath names them and without their absolute paths. */
  files: Array<Omit<FileQuality, 'path'>>;
  rejectReasons: Array<{ reason: string; rows: number }>;
  /** Records of the archive files that are no sessions (Suricata alert events, other syslog lines), by kind; not rows read. */
  skippedRecords: Array<{ kind: string; records: number }>;
  /** Files whose end is damaged (a truncated gzip stream, a last line cut off); their complete rows were read. */
  damagedFiles: Array<{ file: string; damage: string }>;
  /** The report week's accepted sessions and how their sources were located. */
  weekTotals: { sessions: number; located: number; countries: number; byStatus: StatusRow[] };
  /** How many ports each country's table shows (top N). */
  portsShown: number;
  /** How many source networks each port lists; 0 when the run has no ASN database. */
  networksShown: number;
  countries: CountrySection[];
  /** Countries the client always follows (clients[].countries) without a located session in the week, so they have no section. */
  quietCountries: Array<{ country: string; name: string }>;
  newEntrants: Array<{ country: string; name: string; port: number; service: string; rank: number; sources: number }>;
  /** Findings, most important first; each names the brief.json path of its numbers. */
  findings: Finding[];
  /** The settings findings were made with, for the methodology section. */
  method: Omit<AnalysisSettings, 'weeks' | 'ports'> & {
    rankBy: 'sessions' | 'sources';
    /** Places a port must move to count as a mover. */
    moverMinPlaces: number;
    /** Movers the key findings name, the largest moves first. */
    maxMovers: number;
  };
  /** Sessions per week of each shown country over the trend weeks, for the weekly chart. */
  weeklySessions: Array<{ week: string; country: string; sessions: number }>;
  /** Sessions from known scanner networks in the week, counted apart from the rankings. */
  scanners: Array<{ name: string; sessions: number; sources: number }>;
  /** ISO weeks with accepted sessions from the client's own sensors, oldest first. */
  archiveWeeks: string[];
  /**
   * First and last session of the client's sensors in the archive, and of the
   * report and previous weeks (ISO 8601 UTC), where they have any. A week is
   * partial when its sessions start more than a day after its Monday 00:00
   * or end more than a day before its end.
   */
  coverage: { archiveStart: string | null; archiveEnd: string | null; week: WeekSpan | null; previous: WeekSpan | null; sensorGaps: SensorGap[] };
}

/** A client sensor that ran in the previous week and recorded none or only part of the report week, which its other sensors covered. */
export interface SensorGap {
  sensor: string;
  /** silent: no session all week; stopped: none in its last day or more; started: none in its first day or more; partial: both. */
  kind: 'silent' | 'stopped' | 'started' | 'partial';
  /** Its first session of the report week; null when silent. */
  first: string | null;
  /** Its last session of the report week, or of the previous week when silent. */
  last: string;
  /** Its fraction (0-1) of the client's sessions in the previous week: roughly what the gap may take from this week's counts. */
  previousShare: number;
}

/** The first and last session of a week, and whether they leave a day or more of it without sessions. */
export interface WeekSpan {
  first: string;
  last: string;
  partial: boolean;
}
