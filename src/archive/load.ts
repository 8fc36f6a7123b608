import { access, constants } from 'node:fs/promises';
import path from 'node:path';
import fg from 'fast-glob';
import type { Config } from '../config/load.js';
import type { Database } from '../db.js';
import { EXIT, PortbriefError, messageOf } from '../errors.js';
import type { Logger } from '../log.js';
import { type ResolvedSource, mappedColumns, rawSelectSql, readerSql, rejectsScanTable, rejectsTable } from './source-sql.js';

/** Reject reason for a line the CSV reader could not split into the header's columns. */
export const MALFORMED_CSV_LINE = 'malformed CSV line';

/** The outcome of every row of one archive file. */
export interface FileQuality {
  /** The file's path relative to the config file's folder. */
  file: string;
  source: string;
  rowsRead: number;
  accepted: number;
  rejected: number;
  /** Rejected rows by reason. */
  reasons: Record<string, number>;
}

export interface ArchiveLoad {
  sources: ResolvedSource[];
  /** Every file's accounting over all of its rows, whichever client they belong to. */
  files: FileQuality[];
  totals: Totals;
  /** ISO weeks with accepted sessions, in order. */
  weeks: Array<{ week: string; sessions: number }>;
  /** Distinct sensor names in the archive. */
  sensors: string[];
  /** Lines the CSV reader could not split, per file (absolute paths). */
  malformed: OutcomeCount[];
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

/**
 * Reads every configured source once into the table sessions_all (canonical
 * schema plus reject_reason) and returns the per-file accounting.
 */
export async function loadArchive(db: Database, config: Config, now: Date, log: Logger): Promise<ArchiveLoad> {
  const sources = await Promise.all(config.sources.map((source, index) => resolveSource(config, index)));

  for (const source of sources) {
    await checkColumns(db, config, source);
  }

  const union = sources.map(rawSelectSql).join('\nUNION ALL BY NAME\n');
  await db.run(`CREATE OR REPLACE TEMP VIEW raw_sessions AS\n${union}`, undefined, 'the archive sources');
  await db.run(await db.readQuery('canonical.sql'), { now: now.toISOString() }, 'canonical.sql');

  const outcomes = await db.queryFile('file_outcomes.sql');
  const malformed = await malformedLines(db, sources);
  const files = fileQuality(config, sources, [...outcomes.map(toOutcome), ...malformed]);
  const weeks = (await db.queryFile('archive_weeks.sql')).map((row) => ({ week: String(row.week), sessions: Number(row.sessions) }));
  const sensors = (await db.query(`SELECT DISTINCT sensor FROM sessions_all WHERE sensor IS NOT NULL ORDER BY sensor`)).map((row) => String(row.sensor));

  for (const file of files) {
    log.info({ file: file.file, source: file.source, rowsRead: file.rowsRead, accepted: file.accepted, rejected: file.reasons }, 'archive file read');
  }
  return { sources, files, totals: sumTotals(files), weeks, sensors, malformed };
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

export function toOutcome(row: Record<string, unknown>): OutcomeCount {
  return { file: String(row.file), source: String(row.source), reason: String(row.reason), rows: Number(row.rows) };
}

export async function resolveSource(config: Config, index: number): Promise<ResolvedSource> {
  const source = config.sources[index];
  const key = `${config.file}: sources[${index}].path`;
  const pattern = path.resolve(config.baseDir, source.path);

  const files = fg.isDynamicPattern(source.path)
    ? (await fg(path.isAbsolute(source.path) ? source.path : `${fg.convertPathToPattern(config.baseDir)}/${source.path}`, { onlyFiles: true, absolute: true })).sort()
    : [pattern];
  if (files.length === 0) {
    throw new PortbriefError(`${key}: no file matches '${source.path}' (relative to ${config.baseDir}). Check the pattern or the folder.`, {
      exitCode: EXIT.usage,
    });
  }

  for (const file of files) {
    try {
      await access(file, constants.R_OK);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      let reason = messageOf(error);
      if (code === 'ENOENT') reason = 'not found';
      if (code === 'EACCES') reason = 'not readable (permission denied)';
      throw new PortbriefError(`${key}: archive file ${file} is ${reason}. Fix the path or the file's permissions.`, {
        exitCode: EXIT.usage,
        cause: error,
      });
    }
  }

  return { index, config: source, files, timeZone: source.timezone ?? config.timezone };
}

/** Fails early, naming the mapping key and the columns that exist, when the field mapping names a missing column. */
export async function checkColumns(db: Database, config: Config, source: ResolvedSource): Promise<void> {
  let columns: string[];
  try {
    const rows = await db.query(`DESCRIBE SELECT * FROM ${readerSql(source)}`);
    columns = rows.map((row) => String(row.column_name));
  } catch (error) {
    throw new PortbriefError(
      `${config.file}: sources[${source.index}] '${source.config.name}': cannot read ${source.files.join(', ')} as ${source.config.format}: ${firstLine(messageOf((error as Error).cause ?? error))}. Check sources[${source.index}].format and the file.`,
      { cause: error },
    );
  }

  for (const { key, column } of mappedColumns(source.config)) {
    if (!columns.includes(column)) {
      throw new PortbriefError(
        `${config.file}: sources[${source.index}].fields.${key}: column '${column}' not found in ${source.files[0]}; its columns are ${columns.filter((c) => c !== 'filename').join(', ')}.`,
        { exitCode: EXIT.usage },
      );
    }
  }
}

/** Counts the lines the CSV reader could not split into columns, per file. */
async function malformedLines(db: Database, sources: ResolvedSource[]): Promise<OutcomeCount[]> {
  const counts: OutcomeCount[] = [];
  for (const source of sources.filter((s) => s.config.format === 'csv')) {
    const rows = await db.query(
      `SELECT s.file_path AS file, count(DISTINCT e.line)::INTEGER AS rows
       FROM ${rejectsTable(source)} e JOIN ${rejectsScanTable(source)} s USING (scan_id, file_id)
       GROUP BY ALL`,
      undefined,
      `the rejects of source '${source.config.name}'`,
    );
    for (const row of rows) counts.push({ file: String(row.file), source: source.config.name, reason: MALFORMED_CSV_LINE, rows: Number(row.rows) });
  }
  return counts;
}

/**
 * Folds outcome counts into one accounting line per file. Every file of
 * `sources` gets a line, even with no rows, so an empty file is visible.
 */
export function fileQuality(config: Config, sources: ResolvedSource[], outcomes: OutcomeCount[]): FileQuality[] {
  const byFile = new Map<string, FileQuality>();
  const entry = (file: string, source: string): FileQuality => {
    let quality = byFile.get(file);
    if (!quality) {
      quality = { file: displayPath(config, file), source, rowsRead: 0, accepted: 0, rejected: 0, reasons: {} };
      byFile.set(file, quality);
    }
    return quality;
  };

  for (const source of sources) {
    for (const file of source.files) entry(file, source.config.name);
  }
  for (const outcome of outcomes) addRows(entry(outcome.file, outcome.source), outcome.reason, outcome.rows);

  return [...byFile.values()].sort((a, b) => a.file.localeCompare(b.file));
}

/** Shows a file relative to the config's folder when it lies inside it, else as an absolute path. */
function displayPath(config: Config, file: string): string {
  const relative = path.relative(config.baseDir, file);
  return relative === '' || relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
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

/** DuckDB appends the failing SQL to its messages; the first line is the one a user needs. */
function firstLine(message: string): string {
  return message.split('\n')[0].trim();
}
