import { access, constants, stat } from 'node:fs/promises';
import path from 'node:path';
import { type Config, queryFolders, validateConfig } from '../config/load.js';
import { SOURCE_FORMATS } from '../config/schema.js';
import { Database, sqlString } from '../db.js';
import { EXIT, PortbriefError } from '../errors.js';
import type { Logger } from '../log.js';
import { DETECTABLE_FORMATS, detectFormat } from './detect.js';
import { detectJsonLayout, fieldPaths, sampleJsonRecords } from './formats/json-layout.js';
import { guessFields } from './guess-fields.js';
import { loadArchive } from './load.js';
import { type FileProbe, probeFile } from './probe.js';
import { type ArchiveFormat, DEFAULT_FIELDS, type Fields } from './source.js';
import { formatNumber as count } from '../render/helpers.js';

export interface InspectOptions {
  /** The format to read the file as; detected from its first bytes when absent. */
  format?: string;
  /** The year of syslog lines; by default a year in the file name, else the current one. */
  year?: number;
  now: Date;
  log: Logger;
  /** How many canonical rows to show. */
  rows?: number;
  /** A folder of .sql files that replace shipped ones, as a config's `queries:` folder does. */
  queriesDir?: string;
}

/**
 * Reads one archive file without a config and describes it as plain text.
 * The text names the format and the field mapping, which is guessed from the
 * column or field names where the format has none. It gives the time span,
 * row counts with reject reasons, and the first canonical rows.
 */
export async function inspectFile(file: string, options: InspectOptions): Promise<string> {
  const absolute = path.resolve(file);
  await access(absolute, constants.R_OK).catch((error: NodeJS.ErrnoException) => {
    throw new PortbriefError(`${file}: ${error.code === 'ENOENT' ? 'not found' : 'not readable'}. Pass an existing archive file.`, { exitCode: EXIT.usage, cause: error });
  });
  const probe = await probeFile(absolute);
  const format = chooseFormat(file, probe, options.format);

  const queriesDir = options.queriesDir === undefined ? undefined : path.resolve(options.queriesDir);
  if (queriesDir !== undefined) await requireFolder(options.queriesDir!, queriesDir);

  const db = await Database.open({ queriesDir: queryFolders({ queries: queriesDir }) });
  try {
    const names = DEFAULT_FIELDS[format] ? [] : await namesIn(db, probe, format);
    const fields = { ...(DEFAULT_FIELDS[format] ?? guessFields(names)) };
    const missing = (['time', 'srcIp', 'dstPort'] as const).filter((key) => format !== 'syslog-ufw' && fields[key] === undefined);
    if (missing.length > 0) {
      throw new PortbriefError(
        `${file}: cannot guess which ${format === 'csv' || format === 'parquet' ? 'column' : 'field'} contains ${missing.join(', ')}; the file has ${names.join(', ') || 'no names portbrief could read'}. Write a config whose source maps them (sources[].fields) and run portbrief weekly or import.`,
        { exitCode: EXIT.usage },
      );
    }
    const named = yearInName(absolute);
    const year = format === 'syslog-ufw' ? (options.year ?? named ?? options.now.getUTCFullYear()) : undefined;
    let yearOrigin = 'the current year';
    if (named !== undefined) yearOrigin = 'from the file name';
    if (options.year !== undefined) yearOrigin = 'as requested';
    const config = inspectConfig(absolute, format, fields, year);
    const archive = await loadArchive(db, config, options.now, options.log);
    const [quality] = archive.files;

    const lines = [
      ['file', absolute],
      ['format', `${format} (${options.format ? 'as requested' : 'detected from the first bytes'})`],
      ['fields', Object.entries(fields).map(([key, name]) => `${key}=${name}`).join('  ') || '(none found)'],
      ...(year === undefined ? [] : [['year', `${year} (${yearOrigin}; set it with --year)`]]),
      ['time span', await timeSpan(db)],
      ['rows', `${count(quality.rowsRead)} read: ${count(quality.accepted)} accepted, ${count(quality.rejected)} rejected`],
      ['rejected', listCounts(quality.reasons)],
      ['skipped', listCounts(quality.skipped)],
      ['damage', quality.damage ?? 'none'],
      ['weeks', archive.weeks.map((week) => `${week.week} (${count(week.sessions)})`).join(', ') || 'none'],
      // These are the names that clients[].sensors takes, so a config can be written from this output.
      ...(fields.sensor === undefined ? [] : [['sensors', await sensorCounts(db)]]),
    ];
    const table = lines.map(([key, value]) => `${key.padEnd(10)} ${value}`).join('\n');
    return `${table}\n\n${await firstRows(db, options.rows ?? 5, quality.accepted, fields.sensor !== undefined)}`;
  } finally {
    db.close();
  }
}

function chooseFormat(file: string, probe: FileProbe, requested: string | undefined): ArchiveFormat {
  if (requested !== undefined) {
    const known = SOURCE_FORMATS.filter((format) => format !== 'auto' && format !== 'lake');
    if (!(known as string[]).includes(requested)) {
      throw new PortbriefError(`--format ${requested}: unknown format; use one of ${known.join(', ')}.`, { exitCode: EXIT.usage });
    }
    return requested as ArchiveFormat;
  }

  if (probe.compression === 'zstd') {
    throw new PortbriefError(`${file}: zstd-compressed, so its format cannot be detected from its first bytes. Pass --format csv, because portbrief reads zstd files only as CSV.`, {
      exitCode: EXIT.usage,
    });
  }
  const detected = detectFormat(probe);
  if (detected === null) {
    throw new PortbriefError(`${file}: cannot tell the format from the first bytes; tried ${DETECTABLE_FORMATS.join(', ')}. Pass --format.`, { exitCode: EXIT.usage });
  }
  return detected;
}

/** Column names (csv, parquet) or field paths of the first records (JSON), for guessing a mapping. */
async function namesIn(db: Database, probe: FileProbe, format: ArchiveFormat): Promise<string[]> {
  if (format === 'csv' || format === 'parquet') {
    const reader =
      format === 'csv'
        ? `read_csv(${sqlString(probe.file)}, header = true, all_varchar = true, compression = '${probe.compression}')`
        : `read_parquet(${sqlString(probe.file)})`;
    return (await db.query(`DESCRIBE SELECT * FROM ${reader}`, undefined, probe.file)).map((row) => String(row.column_name));
  }
  const layout = detectJsonLayout(probe.head, undefined);
  return layout === null ? [] : [...new Set(sampleJsonRecords(probe.head, layout).flatMap((record) => fieldPaths(record)))];
}

/** Throws a usage error unless `absolute`, the folder `optionValue` names, is a folder. */
async function requireFolder(optionValue: string, absolute: string): Promise<void> {
  const folder = await stat(absolute).then(
    (entry) => entry.isDirectory(),
    () => undefined,
  );
  if (folder === true) return;
  throw new PortbriefError(`--queries ${optionValue}: ${folder === undefined ? 'folder not found' : 'not a folder'}. Pass a folder of .sql files that replace shipped ones, such as a config's queries: folder.`, {
    exitCode: EXIT.usage,
  });
}

/** Lists each sensor's accepted sessions, most first, with its first and last day, which shows a sensor that went quiet. */
async function sensorCounts(db: Database): Promise<string> {
  const rows = await db.query(
    `SELECT sensor, sum(sessions)::BIGINT AS sessions, strftime(min(ts), '%Y-%m-%d') AS first, strftime(max(last_ts), '%Y-%m-%d') AS last
     FROM sessions_all WHERE reject_reason IS NULL GROUP BY sensor ORDER BY sessions DESC, sensor`,
  );
  return rows.map((row) => `${String(row.sensor)} (${count(Number(row.sessions))}, ${String(row.first)} to ${String(row.last)})`).join(', ') || 'none';
}

function yearInName(file: string): number | undefined {
  const found = /(?:^|\D)((?:19|20)\d{2})(?:\D|$)/.exec(path.basename(file));
  return found ? Number(found[1]) : undefined;
}

/** Builds a one-source config for the file, named 'portbrief inspect' in messages. */
function inspectConfig(file: string, format: ArchiveFormat, fields: Fields, year: number | undefined): Config {
  const source: Record<string, unknown> = { name: 'inspect', format, path: file, fields };
  if (year !== undefined) source.year = year;
  return { ...validateConfig({ sources: [source] }, 'portbrief inspect'), baseDir: path.dirname(file) };
}

async function timeSpan(db: Database): Promise<string> {
  const [row] = await db.query(
    `SELECT strftime(min(ts), '%Y-%m-%d %H:%M:%S') AS first, strftime(max(ts), '%Y-%m-%d %H:%M:%S') AS last FROM sessions_all WHERE reject_reason IS NULL`,
  );
  return row.first === null ? 'no accepted sessions' : `${String(row.first)} to ${String(row.last)} UTC (accepted sessions)`;
}

function listCounts(counts: Record<string, number>): string {
  const entries = Object.entries(counts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return entries.length === 0 ? 'none' : entries.map(([name, rows]) => `${name} ${count(rows)}`).join(', ');
}

/** Formats the first accepted sessions in time order as an aligned text table, with a sensor column only where the mapping names one. */
async function firstRows(db: Database, limit: number, accepted: number, withSensor: boolean): Promise<string> {
  const rows = await db.query(
    `SELECT strftime(ts, '%Y-%m-%d %H:%M:%S') AS ts, src_ip, coalesce(dst_port::VARCHAR, '-') AS dst_port, coalesce(proto, '-') AS proto, sensor
     FROM sessions_all WHERE reject_reason IS NULL ORDER BY ts, src_ip LIMIT ${Math.max(0, Math.trunc(limit))}`,
  );
  if (rows.length === 0) return 'no accepted sessions to show';

  const columns = ['ts', 'src_ip', 'dst_port', 'proto', ...(withSensor ? ['sensor'] : [])];
  const widths = columns.map((column) => Math.max(column.length, ...rows.map((row) => String(row[column]).length)));
  const format = (values: string[]) => values.map((value, i) => value.padEnd(widths[i])).join('  ').trimEnd();
  return [`first ${rows.length} of ${count(accepted)} accepted sessions, in time order:`, format(columns), ...rows.map((row) => format(columns.map((column) => String(row[column]))))].join('\n');
}
