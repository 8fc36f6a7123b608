import { access, constants, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fg from 'fast-glob';
import type { Config } from '../config/load.js';
import { EXIT, PortbriefError, messageOf } from '../errors.js';
import type { Logger } from '../log.js';
import { DETECTABLE_FORMATS, detectFormat } from './detect.js';
import { detectJsonLayout } from './formats/json-layout.js';
import { compressionOf } from './formats/lines.js';
import { MAX_LINE_BYTES, copyWithoutLongLines } from './long-lines.js';
import { type FileProbe, probeFile, recoverGzip } from './probe.js';
import { type ArchiveFile, type ArchiveFormat, type ResolvedSource, effectiveFields } from './source.js';

/** A folder for plain-text copies of damaged gzip files, made on first use. */
export class WorkDir {
  private dir: string | undefined;

  async path(): Promise<string> {
    this.dir ??= await mkdtemp(path.join(tmpdir(), 'portbrief-read-'));
    return this.dir;
  }

  get created(): string | undefined {
    return this.dir;
  }
}

/**
 * Finds a source's files and probes each one (gzip integrity, first and last
 * 64 KiB). Decides the format of an `auto` source and the JSON layout of
 * each file. Copies the readable part of each damaged gzip file into `work`,
 * so that its complete rows can be read.
 */
export async function resolveSource(config: Config, index: number, log: Logger, work: WorkDir): Promise<ResolvedSource> {
  const source = config.sources[index];
  const paths = await listFiles(config, index);

  const probes = new Map<string, FileProbe>();
  if (source.format !== 'parquet' && source.format !== 'lake') {
    for (const file of paths) probes.set(file, await probeFile(file));
  }

  const zstd = paths.find((file) => probes.get(file)?.compression === 'zstd');
  if (zstd !== undefined && source.format !== 'csv') {
    throw new PortbriefError(
      `${config.file}: sources[${index}]: ${zstd} is zstd-compressed, which portbrief reads only for format csv, because it cannot look into it first. Recompress it with gzip.`,
      { exitCode: EXIT.usage },
    );
  }

  // An empty CSV file has no header, so DuckDB would report a made-up column0 instead of the file.
  const isEmpty = (probe: FileProbe | undefined) => probe !== undefined && probe.compression !== 'zstd' && probe.bytes === 0 && probe.gzipError === null;
  const empty = paths.find((file) => isEmpty(probes.get(file)));
  if (empty !== undefined && (source.format === 'csv' || source.format === 'auto')) {
    throw new PortbriefError(`${config.file}: sources[${index}].path: archive file ${empty} is empty. Remove it or wait until it is written.`, {
      exitCode: EXIT.usage,
    });
  }

  const format = source.format === 'auto' ? detectSourceFormat(config, index, paths, probes, log) : source.format;
  const files: ArchiveFile[] = [];
  for (const file of paths) {
    const probe = format === 'parquet' ? null : (probes.get(file) ?? null);
    const repaired = await repairIfDamaged(config, index, { path: file, readPath: file, probe, damage: null, truncatedRows: 0, longLines: 0 }, log, work);
    files.push(await dropLongLines(index, repaired, log, work));
  }

  for (const file of files) {
    if (format === 'json' || format === 'zeek-json' || format === 'suricata') {
      file.jsonLayout = detectJsonLayout(file.probe!.head, source.recordsPath) ?? { kind: 'ndjson' };
      log.debug({ file: file.path, layout: file.jsonLayout }, 'JSON layout');
    }
  }

  return { index, config: source, format, fields: effectiveFields(format, source.fields), files, timeZone: source.timezone ?? config.timezone };
}

/** Expands a source's path (a file or a glob, relative to the config's folder) and checks that each file is readable. */
async function listFiles(config: Config, index: number): Promise<string[]> {
  const source = config.sources[index];
  const key = `${config.file}: sources[${index}].path`;

  // A lake source reads one source's folder of weeks: its own, or the one its path names.
  if (source.format === 'lake') {
    const folder = source.path === undefined ? path.join(config.lake, `source=${source.name}`) : path.resolve(config.baseDir, source.path);
    const files = (await fg(`${fg.convertPathToPattern(folder)}/week=*/data.parquet`, { onlyFiles: true, absolute: true })).sort();
    if (files.length === 0) {
      throw new PortbriefError(`${key}: the lake folder ${folder} has no weeks (week=*/data.parquet). Run portbrief import for that source first, or check the lake folder.`, {
        exitCode: EXIT.usage,
      });
    }
    return files;
  }

  const configured = source.path!;
  const absolute = path.resolve(config.baseDir, configured);
  let files = [absolute];
  if (fg.isDynamicPattern(configured)) {
    const pattern = path.isAbsolute(configured) ? configured : `${fg.convertPathToPattern(config.baseDir)}/${configured}`;
    files = (await fg(pattern, { onlyFiles: true, absolute: true })).sort();
  }
  if (files.length === 0) {
    throw new PortbriefError(`${key}: no file matches '${configured}' (relative to ${config.baseDir}). Check the pattern or the folder.`, { exitCode: EXIT.usage });
  }

  for (const file of files) {
    try {
      await access(file, constants.R_OK);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      let reason = messageOf(error);
      if (code === 'ENOENT') reason = 'not found';
      if (code === 'EACCES') reason = 'not readable (permission denied)';
      throw new PortbriefError(`${key}: archive file ${file} is ${reason}. Fix the path or the file's permissions.`, { exitCode: EXIT.usage, cause: error });
    }
  }
  return files;
}

/** Detects the format of every file of an `auto` source; they must agree. */
function detectSourceFormat(config: Config, index: number, files: string[], probes: Map<string, FileProbe>, log: Logger): ArchiveFormat {
  const key = `${config.file}: sources[${index}].format`;
  const found = files.map((file) => ({ file, format: detectFormat(probes.get(file)!) }));

  const unknown = found.find((entry) => entry.format === null);
  if (unknown) {
    throw new PortbriefError(
      `${key}: cannot tell the format of ${unknown.file} from its first bytes; tried ${DETECTABLE_FORMATS.join(', ')}. Set the format of sources[${index}] explicitly.`,
      { exitCode: EXIT.usage },
    );
  }
  const formats = [...new Set(found.map((entry) => entry.format))];
  if (formats.length > 1) {
    const examples = formats.map((format) => `${found.find((entry) => entry.format === format)!.file} looks like ${format}`);
    throw new PortbriefError(`${key}: the files of one source must share a format, but ${examples.join(' and ')}. Split them into two sources.`, {
      exitCode: EXIT.usage,
    });
  }

  const format = formats[0]!;
  log.info({ source: config.sources[index].name, format, files: files.length }, 'detected the archive format');
  return format;
}

/**
 * Handles a gzip stream that ends early or is corrupt. With `strict: true`
 * on the source this is an error. Otherwise the readable text goes to a copy
 * that DuckDB reads instead, and the damage is kept for the file's
 * accounting and the run log.
 */
async function repairIfDamaged(config: Config, index: number, file: ArchiveFile, log: Logger, work: WorkDir): Promise<ArchiveFile> {
  const probe = file.probe;
  if (probe?.gzipError == null) return file;

  const damage = `gzip stream damaged (${probe.gzipError})`;
  if (config.sources[index].strict) {
    throw new PortbriefError(
      `${config.file}: sources[${index}]: archive file ${file.path} is damaged: ${damage}. Replace the file, or remove strict: true from the source to read its complete rows.`,
    );
  }

  const copy = path.join(await work.path(), `${index}-${path.basename(file.path).replace(/\.gz$/i, '')}.recovered`);
  const recovered = await recoverGzip(probe, copy);
  log.debug({ file: file.path, damage, bytesRecovered: recovered.probe.bytes, copy }, 'copied the readable part of a damaged gzip file');
  return {
    ...file,
    readPath: copy,
    probe: recovered.probe,
    damage: `${damage} after ${recovered.probe.bytes} bytes of complete lines`,
    truncatedRows: recovered.cutLine ? 1 : 0,
  };
}

/**
 * Copies a file with lines longer than MAX_LINE_BYTES without them, for
 * DuckDB to read instead, and keeps their count for the file's accounting.
 */
async function dropLongLines(index: number, file: ArchiveFile, log: Logger, work: WorkDir): Promise<ArchiveFile> {
  if (!file.probe || file.probe.longLines === 0) return file;

  const copy = path.join(await work.path(), `${index}-${path.basename(file.path).replace(/\.gz$/i, '')}.short-lines`);
  const longLines = await copyWithoutLongLines(file.readPath, compressionOf(file) === 'gzip', copy);
  log.warn({ file: file.path, longLines, maxLineBytes: MAX_LINE_BYTES }, 'archive file has lines longer than the maximum; they are rejected as line too long');
  return { ...file, readPath: copy, probe: { ...(await probeFile(copy)), file: copy }, longLines };
}
