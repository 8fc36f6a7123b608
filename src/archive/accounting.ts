import path from 'node:path';
import type { Config } from '../config/load.js';
import { type Database, sqlString } from '../db.js';
import { type ReaderRejects, TRUNCATED_FILE, fileColumn, isUnterminatedLine } from './formats/sql.js';
import type { ResolvedSource } from './source.js';

/** The outcome of every row of one archive file. */
export interface FileQuality {
  /** The file's name in the brief (see displayPath). */
  file: string;
  /** The file's absolute path, for the run log; the brief leaves it out. */
  path: string;
  source: string;
  rowsRead: number;
  accepted: number;
  rejected: number;
  /** Rejected rows by reason. */
  reasons: Record<string, number>;
  /** Records that are no sessions, by kind (Suricata alert events, other syslog lines); not part of rowsRead. */
  skipped: Record<string, number>;
  /** Damage to the file itself (a truncated gzip stream, a last line cut off); null when whole. */
  damage: string | null;
}

export interface Totals {
  rowsRead: number;
  accepted: number;
  rejected: number;
}

/** One count of the data-quality query: rows of a file with one outcome ('' when accepted). */
export interface OutcomeCount {
  file: string;
  source: string;
  reason: string;
  rows: number;
}

/** Adds up the rows of several files. */
export function sumTotals(files: FileQuality[]): Totals {
  return files.reduce(
    (sum, file) => ({
      rowsRead: sum.rowsRead + file.rowsRead,
      accepted: sum.accepted + file.accepted,
      rejected: sum.rejected + file.rejected,
    }),
    { rowsRead: 0, accepted: 0, rejected: 0 },
  );
}

/**
 * Describes each source that had rows but accepted none, with its reject
 * reasons, most first: usually a field mapping or time setting that
 * does not fit the files, rather than traffic that is all bad.
 */
export function whollyRejectedSources(config: Pick<Config, 'sources'>, files: FileQuality[]): string[] {
  const described: string[] = [];
  for (const [index, source] of config.sources.entries()) {
    const own = files.filter((file) => file.source === source.name);
    const totals = sumTotals(own);
    if (totals.rowsRead === 0 || totals.accepted > 0) continue;

    const reasons = new Map<string, number>();
    for (const file of own) {
      for (const [reason, rows] of Object.entries(file.reasons)) reasons.set(reason, (reasons.get(reason) ?? 0) + rows);
    }
    const listed = [...reasons.entries()]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([reason, rows]) => `${reason} ${rows.toLocaleString('en-US')}`)
      .join(', ');
    described.push(`source '${source.name}' accepted none of its ${totals.rowsRead.toLocaleString('en-US')} rows (${listed}): check sources[${index}].fields and its time settings`);
  }
  return described;
}

export function toOutcome(row: Record<string, unknown>): OutcomeCount {
  return { file: String(row.file), source: String(row.source), reason: String(row.reason), rows: Number(row.rows) };
}

/**
 * Counts the lines each reader left out (CSV lines with the wrong number of
 * columns, text lines it could not take), per file. A rejected line that is
 * the file's unterminated last line counts as a truncated file instead, and
 * a line that is not UTF-8 counts as such.
 */
export async function readerRejectCounts(db: Database, source: ResolvedSource, rejects: ReaderRejects[]): Promise<OutcomeCount[]> {
  const counts: OutcomeCount[] = [];
  for (const reader of rejects) {
    const file = fileColumn(reader.files, 's.file_path');
    const cut = isUnterminatedLine(reader.files, file, "trim(e.csv_line, E'\\r\\n')");
    const rows = await db.query(
      `SELECT ${file} AS file,
              CASE WHEN ${cut} THEN ${sqlString(TRUNCATED_FILE)}
                   WHEN e.error_type = 'INVALID ENCODING' THEN ${sqlString(INVALID_UTF8)}
                   ELSE ${sqlString(reader.reason)} END AS reason,
              count(DISTINCT e.line)::INTEGER AS rows
       FROM ${reader.table} e JOIN ${reader.scan} s USING (scan_id, file_id)
       GROUP BY ALL`,
      undefined,
      `the rejects of source '${source.config.name}'`,
    );
    for (const row of rows) counts.push({ file: String(row.file), source: source.config.name, reason: String(row.reason), rows: Number(row.rows) });
  }
  return counts;
}

/** Reject reason for a line whose bytes are not UTF-8, which DuckDB's CSV reader requires. */
export const INVALID_UTF8 = 'invalid UTF-8';

/** Records of a file that are no sessions, of one kind. */
export interface SkippedCount {
  file: string;
  source: string;
  kind: string;
  records: number;
}

/** Maps each file of `sources` (absolute path) to the damage found in it. */
export function damageByFile(sources: ResolvedSource[]): Map<string, string | null> {
  return new Map(sources.flatMap((source) => source.files.map((file) => [file.path, file.damage] as const)));
}

/**
 * Folds outcome counts, skipped records and damage into one accounting line
 * per file. Every file of `sources` gets a line, even with no rows, so an
 * empty file is visible.
 */
export function fileQuality(
  config: Config,
  sources: ResolvedSource[],
  outcomes: OutcomeCount[],
  skipped: SkippedCount[] = [],
  damage: Map<string, string | null> = damageByFile(sources),
): FileQuality[] {
  const byFile = new Map<string, FileQuality>();
  const folders = new Map(sources.map((source) => [source.config.name, commonFolder(source.files.map((file) => file.path))]));
  const entry = (file: string, source: string): FileQuality => {
    let quality = byFile.get(file);
    if (!quality) {
      quality = { file: displayPath(config, file, { name: source, folder: folders.get(source) }), path: file, source, rowsRead: 0, accepted: 0, rejected: 0, reasons: {}, skipped: {}, damage: damage.get(file) ?? null };
      byFile.set(file, quality);
    }
    return quality;
  };

  for (const source of sources) {
    for (const file of source.files) entry(file.path, source.config.name);
  }
  for (const outcome of outcomes) addRows(entry(outcome.file, outcome.source), outcome.reason, outcome.rows);
  for (const row of skipped) {
    const quality = byFile.get(row.file);
    if (quality) quality.skipped[row.kind] = (quality.skipped[row.kind] ?? 0) + row.records;
  }

  for (const quality of byFile.values()) {
    const cut = quality.reasons[TRUNCATED_FILE];
    if (cut && quality.damage === null) quality.damage = 'the last line is cut off (no line end)';
  }
  return [...byFile.values()].sort((a, b) => a.file.localeCompare(b.file));
}

/**
 * Names a file for the brief: relative to the config's folder when it lies
 * inside it. Else by its source's name and its path below the folder of all
 * the source's files, because a client's brief should not show the
 * operator's folder layout. The run log keeps the absolute path.
 */
export function displayPath(config: Pick<Config, 'baseDir'>, file: string, source?: { name: string; folder?: string }): string {
  const inside = path.relative(config.baseDir, file);
  if (inside !== '' && !inside.startsWith('..') && !path.isAbsolute(inside)) return inside;
  if (source?.folder === undefined) return file;
  return `${source.name}: ${path.relative(source.folder, file)}`;
}

/** Returns the deepest folder that contains every one of the absolute paths, or undefined for none. */
function commonFolder(files: string[]): string | undefined {
  if (files.length === 0) return undefined;
  let folder = path.dirname(files[0]);
  const contains = (candidate: string) => files.every((file) => file.startsWith(candidate.endsWith(path.sep) ? candidate : candidate + path.sep));
  // The file system's root contains every absolute path, so the walk ends there at the latest.
  while (!contains(folder) && path.dirname(folder) !== folder) folder = path.dirname(folder);
  return folder;
}

function addRows(quality: FileQuality, reason: string, rows: number): void {
  quality.rowsRead += rows;
  if (reason === '') {
    quality.accepted += rows;
    return;
  }
  quality.rejected += rows;
  quality.reasons[reason] = (quality.reasons[reason] ?? 0) + rows;
}
