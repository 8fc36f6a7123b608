import { rm } from 'node:fs/promises';
import type { Config } from '../config/load.js';
import { type Database, TextList } from '../db.js';
import { PortbriefError } from '../errors.js';
import type { Logger } from '../log.js';
import {
  type FileQuality,
  type OutcomeCount,
  type SkippedCount,
  type Totals,
  fileQuality,
  readerRejectCounts,
  sumTotals,
  toOutcome,
  whollyRejectedSources,
} from './accounting.js';
import { checkSource } from './check.js';
import { LINE_TOO_LONG } from './long-lines.js';
import { readSource } from './formats/index.js';
import { TRUNCATED_FILE } from './formats/sql.js';
import { parquetTimeSpan } from './formats/time-span.js';
import { WorkDir, resolveSource } from './resolve.js';
import type { ResolvedSource } from './source.js';

export { type FileQuality, type OutcomeCount, type Totals, fileQuality, sumTotals, toOutcome } from './accounting.js';
export { INVALID_UTF8 } from './accounting.js';
export { MALFORMED_CSV_LINE } from './formats/tabular.js';
export { MALFORMED_RECORD, TRUNCATED_FILE } from './formats/sql.js';
export { LINE_TOO_LONG, MAX_LINE_BYTES } from './long-lines.js';

export interface ArchiveLoad {
  sources: ResolvedSource[];
  /** Every file's accounting over all of its rows, whichever client they belong to. */
  files: FileQuality[];
  totals: Totals;
  /** ISO weeks with accepted sessions, in order. */
  weeks: Array<{ week: string; sessions: number }>;
  /** Distinct sensor names in the archive. */
  sensors: string[];
  /** Lines the readers could not take (malformed CSV lines, lines cut off by damage), per file (absolute paths). */
  readerRejects: OutcomeCount[];
  /** Records that are no sessions, per file (absolute paths) and kind. */
  skipped: SkippedCount[];
}

export interface LoadOptions {
  /** Names of the sources to read; all of them when absent. */
  only?: string[];
  /**
   * Keep one row per group of sessions that differ only in their time
   * within one ISO week, with its count in `sessions` (see canonical.sql).
   * The weekly run needs no more; import and inspect need every row.
   */
  grouped?: boolean;
}

/**
 * Reads every configured source (or those named in `only`) once into the
 * table sessions_all (canonical schema plus reject_reason and the sessions
 * each row stands for) and returns the per-file accounting.
 */
export async function loadArchive(db: Database, config: Config, now: Date, log: Logger, options: LoadOptions = {}): Promise<ArchiveLoad> {
  const { only, grouped = false } = options;
  const work = new WorkDir();
  try {
    const sources: ResolvedSource[] = [];
    for (const [index, source] of config.sources.entries()) {
      if (only === undefined || only.includes(source.name)) sources.push(await resolveSource(config, index, log, work));
    }
    for (const source of sources) await checkSource(db, config, source);
    // The grouped read splits its groups at the time checks only where the statistics leave them in doubt.
    if (grouped) {
      for (const source of sources) source.timeSpan = await parquetTimeSpan(db, source);
    }

    // Files are numbered in source order, so a parquet read's files have consecutive refs from its first.
    const archiveFiles = sources.flatMap((source) => source.files);
    archiveFiles.forEach((file, ref) => {
      file.ref = ref;
    });
    await db.run(
      'CREATE OR REPLACE TEMP TABLE archive_files AS SELECT (i - 1)::BIGINT AS file_ref, $paths[i] AS file FROM range(1, len($paths) + 1) AS t(i)',
      { paths: new TextList(archiveFiles.map((file) => file.path)) },
      'the archive file list',
    );
    const reads = sources.map((source) => readSource(source, config.file, grouped ? { now } : undefined));
    const union = reads.map((read) => read.sql).join('\nUNION ALL BY NAME\n');
    await db.run(`CREATE OR REPLACE TEMP VIEW raw_sessions AS\n${union}`, undefined, 'the archive sources');
    await db.runScript('canonical.sql', { now: now.toISOString(), grouped });
    // The view reads files that are removed below; nothing may read it again.
    await db.run('DROP VIEW raw_sessions');
    await db.runFile('skipped_records.sql');

    const readerRejects: OutcomeCount[] = [];
    for (const [index, source] of sources.entries()) {
      readerRejects.push(...(await readerRejectCounts(db, source, reads[index].rejects)));
      for (const file of source.files.filter((candidate) => candidate.truncatedRows > 0)) {
        readerRejects.push({ file: file.path, source: source.config.name, reason: TRUNCATED_FILE, rows: file.truncatedRows });
      }
      for (const file of source.files.filter((candidate) => candidate.longLines > 0)) {
        readerRejects.push({ file: file.path, source: source.config.name, reason: LINE_TOO_LONG, rows: file.longLines });
      }
    }
    const outcomes = (await db.queryFile('file_outcomes.sql')).map(toOutcome);
    const skipped = (await db.query('SELECT file, source, kind, records FROM skipped_records')).map((row) => ({
      file: String(row.file),
      source: String(row.source),
      kind: String(row.kind),
      records: Number(row.records),
    }));
    const files = fileQuality(config, sources, [...outcomes, ...readerRejects], skipped);

    const weeks = (await db.queryFile('archive_weeks.sql')).map((row) => ({ week: String(row.week), sessions: Number(row.sessions) }));
    const sensors = (await db.query(`SELECT DISTINCT sensor FROM sessions_all WHERE sensor IS NOT NULL ORDER BY sensor`)).map((row) => String(row.sensor));

    reportFiles(config, files, log);
    return { sources, files, totals: sumTotals(files), weeks, sensors, readerRejects, skipped };
  } finally {
    if (work.created) await rm(work.created, { recursive: true, force: true });
  }
}

/** Logs every file's accounting, warns about damaged and empty files, and fails on damage in a strict source. */
function reportFiles(config: Config, files: FileQuality[], log: Logger): void {
  for (const file of files) {
    log.info(
      { file: file.path, source: file.source, rowsRead: file.rowsRead, accepted: file.accepted, rejected: file.reasons, skipped: file.skipped },
      'archive file read',
    );
    if (file.rowsRead === 0 && Object.keys(file.skipped).length === 0) {
      log.warn({ file: file.path, source: file.source }, 'archive file contains no records; check the source format and, for JSON, recordsPath');
    }
    if (file.damage === null) continue;

    const index = config.sources.findIndex((source) => source.name === file.source);
    if (config.sources[index].strict) {
      throw new PortbriefError(
        `${config.file}: sources[${index}]: archive file ${file.path} is damaged: ${file.damage}. Replace the file, or remove strict: true from the source to read its complete rows.`,
      );
    }
    log.warn({ file: file.path, source: file.source, damage: file.damage, truncatedRows: file.reasons[TRUNCATED_FILE] ?? 0 }, 'archive file is damaged; its complete rows were read');
  }
  for (const problem of whollyRejectedSources(config, files)) log.warn(problem);
}
