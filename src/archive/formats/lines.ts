import { sqlString } from '../../db.js';
import { MAX_LINE_BYTES } from '../long-lines.js';
import type { ArchiveFile, ResolvedSource } from '../source.js';
import { type ReaderRejects, fileColumn, groupBy, readList } from './sql.js';


/**
 * Builds a subquery with one row (file, line) per non-blank line of `files`.
 * DuckDB's CSV reader does the reading: one VARCHAR column, no quoting, and
 * the control character 0x01 as delimiter, which text logs do not contain.
 * A line that does contain it goes to the rejects table and is counted with
 * `reason`. Lines longer than MAX_LINE_BYTES were left out of the file DuckDB
 * reads and are counted apart, so no line goes uncounted.
 */
export function linesSubquery(source: ResolvedSource, files: ArchiveFile[], reason: string, name: string): { sql: string; rejects: ReaderRejects[] } {
  const rejects: ReaderRejects[] = [];
  const reads = groupBy(files, compressionOf).map((group, index) => {
    const table = `reader_rejects_${source.index}_${name}_${index}`;
    const scan = `reader_reject_scans_${source.index}_${name}_${index}`;
    rejects.push({ table, scan, reason, files: group });

    const options = [
      "columns = {'line': 'VARCHAR'}",
      "delim = E'\\x01'",
      "quote = ''",
      "escape = ''",
      'header = false',
      'auto_detect = false',
      'filename = true',
      `compression = ${sqlString(compressionOf(group[0]))}`,
      `max_line_size = ${MAX_LINE_BYTES}`,
      `buffer_size = ${2 * MAX_LINE_BYTES}`,
      'ignore_errors = true',
      'store_rejects = true',
      `rejects_table = ${sqlString(table)}`,
      `rejects_scan = ${sqlString(scan)}`,
    ];
    return `SELECT ${fileColumn(group)} AS file, line FROM read_csv(${readList(group)}, ${options.join(', ')}) WHERE trim(line) <> ''`;
  });
  return { sql: `(${reads.join('\nUNION ALL\n')})`, rejects };
}

/** The compression DuckDB must use for a file: recovered copies are plain text whatever the original's name. */
export function compressionOf(file: ArchiveFile): 'gzip' | 'zstd' | 'none' {
  if (file.readPath !== file.path || file.probe === null) return 'none';
  return file.probe.compression;
}
