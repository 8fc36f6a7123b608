import { sqlIdentifier, sqlString } from '../../db.js';
import type { ArchiveFile, Fields, ResolvedSource } from '../source.js';
import { MAX_LINE_BYTES } from '../long-lines.js';
import { compressionOf } from './lines.js';
import { type PreGroup, type RawColumns, type SourceRead, fileColumn, formattedTime, groupBy, rawSelect, readList } from './sql.js';

/** Reject reason for a line the CSV reader could not split into the header's columns. */
export const MALFORMED_CSV_LINE = 'malformed CSV line';

/**
 * The DuckDB table function call that reads CSV or parquet files, all CSV
 * columns as text. Every column is read as text because DuckDB sniffs types
 * from a sample of rows and would fail on an odd value far into the file.
 * Conversion and reject accounting happen in queries/canonical.sql. The CSV
 * reader skips structurally broken lines and counts them in its rejects table.
 */
export function tableReaderSql(source: ResolvedSource, group = 0, files = source.files): string {
  if (source.format === 'parquet' || source.format === 'lake') {
    return `read_parquet(${readList(files)}, filename = true, union_by_name = true${source.format === 'lake' ? ', hive_partitioning = true' : ''})`;
  }

  const options = [
    'header = true',
    'all_varchar = true',
    'filename = true',
    `compression = ${sqlString(compressionOf(files[0]))}`,
    // DuckDB's default maximum is 2,000,000 bytes; longer lines up to MAX_LINE_BYTES are read and judged like any other.
    `max_line_size = ${MAX_LINE_BYTES}`,
    `buffer_size = ${2 * MAX_LINE_BYTES}`,
    'ignore_errors = true',
    'store_rejects = true',
    `rejects_table = ${sqlString(csvRejectsTable(source, group))}`,
    `rejects_scan = ${sqlString(csvRejectsScan(source, group))}`,
  ];
  if (source.config.delimiter) options.push(`delim = ${sqlString(source.config.delimiter)}`);
  return `read_csv(${readList(files)}, ${options.join(', ')})`;
}

function csvRejectsTable(source: ResolvedSource, group: number): string {
  return `csv_rejects_${source.index}_${group}`;
}

function csvRejectsScan(source: ResolvedSource, group: number): string {
  return `csv_reject_scans_${source.index}_${group}`;
}

/**
 * Reads csv, parquet and lake sources: one raw row per table row, mapped
 * columns cast to text. A column the mapping leaves out becomes the source's
 * constant (sensor, proto) or NULL. The lake stores canonical timestamps, so
 * they are used as they are.
 */
export function tableRead(source: ResolvedSource, preGroup?: PreGroup): SourceRead {
  const text = (column: string) => `CAST(${sqlIdentifier(column)} AS VARCHAR)`;
  const field = (key: keyof Fields) => (source.fields[key] === undefined ? undefined : text(source.fields[key]!));
  const groups = source.format === 'csv' ? groupBy(source.files, compressionOf) : [source.files];

  const rejects = [];
  const selects = [];
  for (const [group, files] of groups.entries()) {
    if (source.format === 'csv') {
      rejects.push({ table: csvRejectsTable(source, group), scan: csvRejectsScan(source, group), reason: MALFORMED_CSV_LINE, files });
    }
    const columns: RawColumns = { file: fileColumn(files), srcIp: field('srcIp'), dstPort: field('dstPort'), proto: field('proto'), sensor: field('sensor') };
    if (source.format === 'parquet' || source.format === 'lake') Object.assign(columns, parquetColumns(source, files));
    selects.push(
      rawSelect(
        source,
        { ...columns, ...timeColumns(source, field('time')) },
        tableReaderSql(source, group, files),
        preGroup,
      ),
    );
  }
  return { sql: selects.join('\nUNION ALL BY NAME\n'), rejects };
}

/**
 * Parquet columns that need no text: each row names its file by DuckDB's
 * file_index instead of the path, and an integer port column keeps its type.
 * Both spare work on every row, because canonical.sql turns them into text
 * only once per group of rows.
 */
function parquetColumns(source: ResolvedSource, files: ArchiveFile[]): Partial<RawColumns> {
  const port = source.fields.dstPort === undefined ? undefined : source.columnTypes?.get(source.fields.dstPort);
  const integer = port !== undefined && /^(U?(TINY|SMALL|BIG|HUGE)?INT(EGER)?)$/.test(port);
  return {
    file: 'NULL::VARCHAR',
    fileRef: `${files[0].ref!} + file_index::BIGINT`,
    ...(integer ? { dstPort: sqlIdentifier(source.fields.dstPort!), typed: ['dstPort' as const] } : {}),
  };
}

/**
 * Returns the time columns of a table source. A parquet column that already
 * contains timestamps is used as it is, so no row's time is turned into text
 * and parsed back. A zone-less one is read in the source's zone.
 */
function timeColumns(source: ResolvedSource, rawTime: string | undefined): Pick<RawColumns, 'rawTime' | 'formattedTime' | 'timeMissing'> {
  const column = source.fields.time === undefined ? undefined : sqlIdentifier(source.fields.time);
  const type = source.fields.time === undefined ? undefined : source.columnTypes?.get(source.fields.time);
  if (column !== undefined && (source.format === 'lake' || type?.startsWith('TIMESTAMP WITH TIME ZONE'))) {
    return { formattedTime: `${column}::TIMESTAMPTZ`, timeMissing: `${column} IS NULL` };
  }
  if (column !== undefined && type?.startsWith('TIMESTAMP')) {
    return { formattedTime: `timezone(${sqlString(source.timeZone)}, ${column}::TIMESTAMP)`, timeMissing: `${column} IS NULL` };
  }
  return { rawTime, formattedTime: rawTime && formattedTime(source, rawTime) };
}
