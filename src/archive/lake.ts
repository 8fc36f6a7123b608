import { randomUUID } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { type Config, queryFolders } from '../config/load.js';
import { Database, TextList, sqlString } from '../db.js';
import { EXIT, PortbriefError, messageOf } from '../errors.js';
import type { Logger } from '../log.js';
import { type ArchiveLoad, loadArchive } from './load.js';
import { makeFolder } from '../make-folder.js';

/** One ISO week of one source, written to the lake. */
export interface LakeWeek {
  source: string;
  week: string;
  sessions: number;
  /** Absolute path of the week's parquet file. */
  file: string;
}

export interface ImportResult {
  weeks: LakeWeek[];
  /** The accounting of the archive files that were read. */
  archive: ArchiveLoad;
}

/**
 * Reads sources (all but lake sources, or only `sourceName`) and writes
 * their accepted sessions to the lake as hive-partitioned parquet, one file
 * per source and ISO week: <lake>/source=<name>/week=<YYYY-Www>/data.parquet.
 * Each row keeps the archive file it came from, because a week can span
 * archive files (logs that rotate on Sunday). A rewritten week keeps the
 * rows of archive files this import did not read and replaces the rows of
 * those it did.
 */
export async function importToLake(config: Config, options: { sourceName?: string; now: Date; log: Logger }): Promise<ImportResult> {
  const sources = selectSources(config, options.sourceName);
  const db = await Database.open({ queriesDir: queryFolders(config) });
  try {
    const archive = await loadArchive(db, config, options.now, options.log, { only: sources.map((source) => source.name) });

    const weeks: LakeWeek[] = [];
    for (const source of archive.sources) {
      const imported = new TextList(source.files.map((file) => file.path));
      const existing = await existingWeeks(db, config.lake, source.config.name);
      const touched = existing.length === 0 ? [] : await db.query(
        `SELECT DISTINCT week FROM read_parquet(${listSql(existing.map((week) => week.file))}, hive_partitioning = true) WHERE list_contains($files, archive_file)`,
        { files: imported },
      );
      const fresh = await db.query(
        `SELECT DISTINCT ${ISO_WEEK} AS week FROM sessions_all WHERE reject_reason IS NULL AND source = $source`,
        { source: source.config.name },
      );

      const ids = [...new Set([...touched, ...fresh].map((row) => String(row.week)))].sort();
      for (const id of ids) {
        const week = await writeWeek(db, config.lake, source.config.name, id, imported, existing.find((entry) => entry.week === id)?.file);
        options.log.info(week, 'lake week written');
        weeks.push(week);
      }
    }
    return { weeks, archive };
  } finally {
    db.close();
  }
}

/** The ISO week of `ts` as YYYY-Www, the lake's partition value. */
const ISO_WEEK = `isoyear(ts) || '-W' || lpad(week(ts)::VARCHAR, 2, '0')`;

/** Lists the weeks of a source already in the lake, with their files. */
async function existingWeeks(db: Database, lake: string, source: string): Promise<Array<{ week: string; file: string }>> {
  const folder = path.join(lake, `source=${source}`);
  const rows = await db.query(`SELECT file FROM glob(${sqlString(path.join(folder, 'week=*', 'data.parquet'))})`);
  return rows.map((row) => String(row.file)).map((file) => ({ week: path.basename(path.dirname(file)).slice('week='.length), file }));
}

function listSql(items: string[]): string {
  return `[${items.map(sqlString).join(', ')}]`;
}

/** Selects the sources an import reads: the named one, or every source that does not read the lake. */
function selectSources(config: Config, sourceName: string | undefined): Config['sources'] {
  if (sourceName === undefined) {
    const sources = config.sources.filter((source) => source.format !== 'lake');
    if (sources.length === 0) {
      throw new PortbriefError(`${config.file}: every source has format lake, so there is nothing to import. Add the archive's own source.`, { exitCode: EXIT.usage });
    }
    return sources;
  }

  const source = config.sources.find((candidate) => candidate.name === sourceName);
  if (!source) {
    throw new PortbriefError(`--source ${sourceName}: no source has that name in ${config.file}; sources are ${config.sources.map((s) => s.name).join(', ')}.`, {
      exitCode: EXIT.usage,
    });
  }
  if (source.format === 'lake') {
    throw new PortbriefError(`--source ${sourceName}: the source already reads the lake. Import the source that reads the archive files.`, { exitCode: EXIT.usage });
  }
  return [source];
}

/**
 * Writes one week of a source, ordered by time, to a temporary file in the
 * week's folder: the newly read sessions plus the rows of the existing week
 * from archive files not in `imported`. The file is flushed and renamed over
 * data.parquet, so readers, which list only data.parquet, see the old week
 * or the new one, never a half-written file.
 */
async function writeWeek(db: Database, lake: string, source: string, week: string, imported: TextList, existing: string | undefined): Promise<LakeWeek> {
  const folder = path.join(lake, `source=${source}`, `week=${week}`);
  const file = path.join(folder, 'data.parquet');
  const partial = path.join(folder, `.data.parquet.${randomUUID().slice(0, 8)}.tmp`);

  // Rows of the week that came from other archive files stay in the rewritten file.
  const otherFilesRows = existing === undefined
    ? ''
    : `UNION ALL
       SELECT ts, src_ip, dst_port, proto, sensor, archive_file FROM read_parquet(${sqlString(existing)})
       WHERE NOT list_contains(${listSql([...imported.items])}, archive_file)`;
  try {
    await makeFolder(folder);
    await db.run(
      `COPY (
         SELECT * FROM (
           SELECT ts, src_ip, dst_port, proto, sensor, file AS archive_file FROM sessions_all
           WHERE reject_reason IS NULL AND source = ${sqlString(source)} AND ${ISO_WEEK} = ${sqlString(week)}
           ${otherFilesRows}
         ) ORDER BY ts
       ) TO ${sqlString(partial)} (FORMAT parquet, COMPRESSION zstd)`,
      undefined,
      `writing week ${week} of source '${source}' to the lake`,
    );
    const [count] = await db.query(`SELECT count(*)::INTEGER AS sessions FROM read_parquet(${sqlString(partial)})`);

    const handle = await open(partial, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(partial, file);
    return { source, week, sessions: Number(count.sessions), file };
  } catch (error) {
    await rm(partial, { force: true });
    if (error instanceof PortbriefError) throw error;
    throw new PortbriefError(`Cannot write ${file}: ${messageOf(error)}. Check that the lake folder ${lake} is writable and has free space.`, { cause: error });
  }
}
