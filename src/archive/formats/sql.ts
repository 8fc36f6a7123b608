import { sqlString } from '../../db.js';
import type { ArchiveFile, ResolvedSource } from '../source.js';

/** Reason for a record a reader could not parse: a JSON line that is not an object, a Zeek line with the wrong number of columns. */
export const MALFORMED_RECORD = 'malformed record';

/** Reason for the last line of a file that was cut off, or of the readable part of a truncated gzip file. */
export const TRUNCATED_FILE = 'truncated file';

/** A reader's rejects table: the lines DuckDB could not split, all counted with one reason. */
export interface ReaderRejects {
  table: string;
  scan: string;
  reason: string;
  files: ArchiveFile[];
}

/** The SQL that reads one source into the raw session columns, and the rejects tables it fills. */
export interface SourceRead {
  sql: string;
  rejects: ReaderRejects[];
}

/** SQL expressions for the raw session columns that queries/canonical.sql reads; left out means NULL. */
export interface RawColumns {
  /** The archive file's path; NULL where fileRef names the file instead. */
  file: string;
  /** A BIGINT expression for the file's ref (see ArchiveFile.ref), which canonical.sql turns into its path after grouping. */
  fileRef?: string;
  /** Columns that keep the reader's own type instead of being cast to text (canonical.sql casts them after grouping). */
  typed?: Array<'dstPort'>;
  rawTime?: string;
  /** A TIMESTAMPTZ expression; when set, canonical.sql uses it instead of parsing rawTime. */
  formattedTime?: string;
  /** A BOOLEAN expression, true where the record has no time; by default rawTime is NULL, empty or '-'. */
  timeMissing?: string;
  srcIp?: string;
  dstPort?: string;
  proto?: string;
  sensor?: string;
  readError?: string;
  skipReason?: string;
}

/** Builds the SELECT list of the raw session columns for one source. */
export function rawSelect(source: ResolvedSource, columns: RawColumns, from: string): string {
  const text = (expression: string | undefined) => (expression === undefined ? 'NULL::VARCHAR' : `CAST(${expression} AS VARCHAR)`);
  return [
    'SELECT',
    `    ${columns.file} AS file,`,
    `    ${columns.fileRef ?? 'NULL::BIGINT'} AS file_ref,`,
    `    ${sqlString(source.config.name)} AS source,`,
    `    ${text(columns.rawTime)} AS raw_time,`,
    `    ${columns.formattedTime === undefined ? 'false' : 'true'} AS has_time_format,`,
    `    ${columns.formattedTime ?? 'NULL::TIMESTAMPTZ'} AS formatted_time,`,
    `    ${columns.timeMissing ?? `coalesce(trim(${text(columns.rawTime)}), '') IN ('', '-')`} AS time_missing,`,
    `    ${sqlString(source.timeZone)} AS time_zone,`,
    `    ${text(columns.srcIp)} AS raw_src_ip,`,
    `    ${columns.typed?.includes('dstPort') && columns.dstPort !== undefined ? columns.dstPort : text(columns.dstPort)} AS raw_dst_port,`,
    `    ${columns.proto ?? constant(source.config.proto)} AS raw_proto,`,
    `    ${columns.sensor ?? constant(source.config.sensor)} AS sensor,`,
    `    ${text(columns.readError)} AS read_error,`,
    `    ${text(columns.skipReason)} AS skip_reason`,
    `FROM ${from}`,
  ].join('\n');
}

function constant(value: string | undefined): string {
  return value === undefined ? 'NULL::VARCHAR' : sqlString(value);
}

/** The file list of a table function call, as DuckDB reads them. */
export function readList(files: ArchiveFile[]): string {
  return `[${files.map((file) => sqlString(file.readPath)).join(', ')}]`;
}

/** Maps DuckDB's `filename` column back to the archive file, for files read from a recovered copy. */
export function fileColumn(files: ArchiveFile[], column = 'filename'): string {
  const copies = files.filter((file) => file.readPath !== file.path);
  if (copies.length === 0) return column;
  const cases = copies.map((file) => `WHEN ${sqlString(file.readPath)} THEN ${sqlString(file.path)}`).join(' ');
  return `CASE ${column} ${cases} ELSE ${column} END`;
}

/**
 * Builds an SQL condition that is true for the last line of a file when that
 * line has no line end, which is how a file cut off mid-line looks.
 */
export function isUnterminatedLine(files: ArchiveFile[], fileExpression: string, lineExpression: string): string {
  const cut = files.filter((file) => file.probe?.unterminatedLine != null);
  if (cut.length === 0) return 'false';
  return cut
    .map((file) => `(${fileExpression} = ${sqlString(file.path)} AND ${lineExpression} = ${sqlString(file.probe!.unterminatedLine!)})`)
    .join(' OR ');
}

/**
 * Returns the formatted time for a source with an explicit strptime format,
 * or undefined to let canonical.sql parse ISO 8601 and epoch times. A format
 * without %z or %Z is read in the source's zone.
 */
export function formattedTime(source: ResolvedSource, rawTime: string): string | undefined {
  const format = source.config.timeFormat;
  if (format === undefined) return undefined;
  const parsed = `try_strptime(trim(${rawTime}), ${sqlString(format)})`;
  return format.includes('%z') || format.includes('%Z') ? `${parsed}::TIMESTAMPTZ` : `timezone(${sqlString(source.timeZone)}, ${parsed})`;
}

/** Groups items by a key, keeping first-seen order. */
export function groupBy<T>(items: T[], key: (item: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const name = key(item);
    groups.set(name, [...(groups.get(name) ?? []), item]);
  }
  return [...groups.values()];
}
