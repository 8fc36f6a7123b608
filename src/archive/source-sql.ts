import type { SourceConfig } from '../config/load.js';
import { sqlIdentifier, sqlString } from '../db.js';

/** A configured source with its file list resolved. */
export interface ResolvedSource {
  index: number;
  config: SourceConfig;
  files: string[];
  /** The zone for timestamps written without one: the source's own, else the config's. */
  timeZone: string;
}

/** The DuckDB table function call that reads every file of a source, all columns as text where the format allows. */
export function readerSql(source: ResolvedSource): string {
  const files = `[${source.files.map(sqlString).join(', ')}]`;

  if (source.config.format === 'parquet') {
    return `read_parquet(${files}, filename = true, union_by_name = true)`;
  }

  // Every column is read as text, because DuckDB sniffs types from a sample of
  // rows and would fail on an odd value far into the file. Conversion and
  // reject accounting happen in queries/canonical.sql. The reader skips
  // structurally broken lines and counts them in its rejects table.
  const options = [
    'header = true',
    'all_varchar = true',
    'filename = true',
    'ignore_errors = true',
    'store_rejects = true',
    `rejects_table = ${sqlString(rejectsTable(source))}`,
    `rejects_scan = ${sqlString(rejectsScanTable(source))}`,
  ];
  if (source.config.delimiter) options.push(`delim = ${sqlString(source.config.delimiter)}`);
  return `read_csv(${files}, ${options.join(', ')})`;
}

export function rejectsTable(source: ResolvedSource): string {
  return `csv_rejects_${source.index}`;
}

export function rejectsScanTable(source: ResolvedSource): string {
  return `csv_reject_scans_${source.index}`;
}

/** Lists the columns that a source's field mapping names. */
export function mappedColumns(source: SourceConfig): Array<{ key: string; column: string }> {
  return Object.entries(source.fields)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([key, column]) => ({ key, column }));
}

/**
 * Builds the SELECT that maps one source's columns onto the raw session
 * columns that queries/canonical.sql reads. A column the mapping leaves out becomes the
 * source's constant (sensor, proto) or NULL.
 */
export function rawSelectSql(source: ResolvedSource): string {
  const { config } = source;
  const text = (column: string) => `CAST(${sqlIdentifier(column)} AS VARCHAR)`;
  const constant = (value: string | undefined) => (value === undefined ? 'NULL::VARCHAR' : sqlString(value));

  const formattedTime = config.timeFormat
    ? timeWithFormat(text(config.fields.time), config.timeFormat, source.timeZone)
    : 'NULL::TIMESTAMPTZ';

  return [
    'SELECT',
    `    filename AS file,`,
    `    ${sqlString(config.name)} AS source,`,
    `    ${text(config.fields.time)} AS raw_time,`,
    `    ${config.timeFormat ? 'true' : 'false'} AS has_time_format,`,
    `    ${formattedTime} AS formatted_time,`,
    `    ${sqlString(source.timeZone)} AS time_zone,`,
    `    ${text(config.fields.srcIp)} AS raw_src_ip,`,
    `    ${text(config.fields.dstPort)} AS raw_dst_port,`,
    `    ${config.fields.proto ? text(config.fields.proto) : constant(config.proto)} AS raw_proto,`,
    `    ${config.fields.sensor ? text(config.fields.sensor) : constant(config.sensor)} AS sensor`,
    `FROM ${readerSql(source)}`,
  ].join('\n');
}

/** Parses time text with an explicit strptime format; a format without %z is read in `timeZone`. */
function timeWithFormat(expression: string, format: string, timeZone: string): string {
  const parsed = `try_strptime(trim(${expression}), ${sqlString(format)})`;
  return format.includes('%z') || format.includes('%Z')
    ? `${parsed}::TIMESTAMPTZ`
    : `timezone(${sqlString(timeZone)}, ${parsed})`;
}
