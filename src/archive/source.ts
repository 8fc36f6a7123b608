import type { SourceConfig } from '../config/load.js';
import type { FileProbe } from './probe.js';

/** A concrete archive format; `auto` resolves to one of these per source. */
export type ArchiveFormat = Exclude<SourceConfig['format'], 'auto'>;

/** The field mapping of a source: a column, JSON field path or syslog key per session value. */
export interface Fields {
  time?: string;
  srcIp?: string;
  dstPort?: string;
  proto?: string;
  sensor?: string;
}

/** Field names of the formats whose layout is fixed by the software that writes them. */
export const DEFAULT_FIELDS: Partial<Record<ArchiveFormat, Fields>> = {
  zeek: { time: 'ts', srcIp: 'id.orig_h', dstPort: 'id.resp_p', proto: 'proto' },
  'zeek-json': { time: 'ts', srcIp: 'id.orig_h', dstPort: 'id.resp_p', proto: 'proto' },
  // flow.start is when the session began; an eve flow event's own timestamp is when the flow was logged.
  suricata: { time: 'flow.start', srcIp: 'src_ip', dstPort: 'dest_port', proto: 'proto' },
  'syslog-ufw': { srcIp: 'SRC', dstPort: 'DPT', proto: 'PROTO' },
  lake: { time: 'ts', srcIp: 'src_ip', dstPort: 'dst_port', proto: 'proto', sensor: 'sensor' },
};

/**
 * Returns the sensor that every row of a source carries when the source reads
 * none from its data: its sensor setting, else its name. Returns undefined
 * when a mapped field or the format's own column gives each row its sensor.
 */
export function fixedSensor(source: SourceConfig): string | undefined {
  const fromData = (source.fields?.sensor ?? DEFAULT_FIELDS[source.format as ArchiveFormat]?.sensor) !== undefined;
  return fromData ? undefined : (source.sensor ?? source.name);
}

/** One archive file of a source. */
export interface ArchiveFile {
  /** The absolute path that matched the source's path; accounting and logs name it. */
  path: string;
  /** The file DuckDB reads: the file itself, or a plain-text copy of the readable part of a damaged gzip file or without over-long lines. */
  readPath: string;
  /** The first pass's findings; null for parquet files, which are not probed. */
  probe: FileProbe | null;
  /** Damage found before reading, such as a truncated gzip stream; null when none. */
  damage: string | null;
  /** Cut-off lines left out of a recovered copy, each counted as a rejected row (0 or 1). */
  truncatedRows: number;
  /** Lines longer than MAX_LINE_BYTES left out of the copy DuckDB reads, each counted as a rejected row. */
  longLines: number;
  /** The layout of the records of a JSON file (json, zeek-json, suricata). */
  jsonLayout?: JsonLayout;
  /** The file's number among all files of one archive read, numbered in source order; see archive_files in canonical.sql. */
  ref?: number;
}

/** The layout of the records of a JSON file. */
export type JsonLayout =
  /** One JSON object per line (NDJSON, JSON Lines). */
  | { kind: 'ndjson' }
  /** An array, or an object holding one at `recordsPath`, written with one record per line. */
  | { kind: 'array-lines'; recordsPath: string | null }
  /** Any other JSON text, parsed whole. */
  | { kind: 'document'; recordsPath: string | null };

/** The earliest and latest time a source's rows can hold. */
export interface TimeSpan {
  first: Date;
  last: Date;
}

/** A configured source with its format decided and its files found and probed. */
export interface ResolvedSource {
  index: number;
  config: SourceConfig;
  format: ArchiveFormat;
  /** The configured mapping over the format's own field names. */
  fields: Fields;
  files: ArchiveFile[];
  /** The zone for timestamps written without one: the source's own, else the config's. */
  timeZone: string;
  /** DuckDB's type of each parquet column, read when the source is checked. */
  columnTypes?: Map<string, string>;
  /** The span of a parquet source's times from its files' statistics, read for the weekly run's grouped read; undefined when unknown. */
  timeSpan?: TimeSpan;
}

/** Merges the configured mapping over the format's field names. */
export function effectiveFields(format: ArchiveFormat, configured: Fields | undefined): Fields {
  const mapping: Fields = { ...DEFAULT_FIELDS[format] };
  for (const [key, value] of Object.entries(configured ?? {})) {
    if (value !== undefined) mapping[key as keyof Fields] = value;
  }
  return mapping;
}
