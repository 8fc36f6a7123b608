import { createReadStream, createWriteStream } from 'node:fs';
import { open, truncate } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { constants as zlibConstants, createGunzip } from 'node:zlib';
import { messageOf } from '../errors.js';
import { LongLineCounter, READ_CHUNK_BYTES } from './long-lines.js';

/** How much text at each end of a file the probe keeps. */
const EDGE_BYTES = 64 * 1024;

const GZIP_MAGIC = [0x1f, 0x8b];
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];
const PARQUET_MAGIC = 'PAR1';

/** Facts about an archive file, gathered before DuckDB reads it. */
export interface FileProbe {
  file: string;
  /**
   * The file's compression, from its magic bytes. Node 20's zlib has no
   * zstd decoder, so a zstd file is not probed and head and tail stay empty.
   */
  compression: 'gzip' | 'zstd' | 'none';
  /** Whether the file starts with parquet's magic bytes. */
  parquet: boolean;
  /** The first 64 KiB of text (decompressed), for format detection and Zeek headers. */
  head: string;
  /** The last 64 KiB of text (decompressed). */
  tail: string;
  /** Text after the last line end when the file does not end with one, else null. */
  unterminatedLine: string | null;
  /** The error that ended the gzip stream before its trailer (truncated or corrupt data), else null. */
  gzipError: string | null;
  /** Decompressed bytes that could be read. */
  bytes: number;
  /** Lines longer than MAX_LINE_BYTES; 0 for zstd and parquet files, which are not scanned. */
  longLines: number;
}

/**
 * Reads a file's first and last 64 KiB and counts its lines longer than
 * MAX_LINE_BYTES, which takes a full pass over the file. A gzip file is
 * decompressed to its end, because DuckDB stops silently at a truncated gzip
 * stream and drops the rows of its last buffer. Only a full pass shows
 * whether the stream is whole.
 */
export async function probeFile(file: string): Promise<FileProbe> {
  const magic = await readStart(file, 4);

  if (magic[0] === GZIP_MAGIC[0] && magic[1] === GZIP_MAGIC[1]) {
    const scan = await scanGzip(file, createGunzip(), new Writable({ write: (_chunk, _encoding, done) => done() }));
    return { file, compression: 'gzip', parquet: false, ...textEdges(scan.head, scan.tail), gzipError: scan.error, bytes: scan.bytes, longLines: scan.longLines };
  }

  if (ZSTD_MAGIC.every((byte, index) => magic[index] === byte)) {
    // NOTE: Node 20 cannot decompress zstd, so a zstd file's long lines are not found and DuckDB drops them uncounted.
    return { file, compression: 'zstd', parquet: false, head: '', tail: '', unterminatedLine: null, gzipError: null, bytes: 0, longLines: 0 };
  }

  const parquet = magic.toString('latin1') === PARQUET_MAGIC;
  const handle = await open(file, 'r');
  let edges: Pick<FileProbe, 'head' | 'tail' | 'unterminatedLine'>;
  let size: number;
  try {
    size = (await handle.stat()).size;
    if (parquet) return { file, compression: 'none', parquet, head: '', tail: '', unterminatedLine: null, gzipError: null, bytes: size, longLines: 0 };

    const head = Buffer.alloc(Math.min(EDGE_BYTES, size));
    await handle.read(head, 0, head.length, 0);
    const tail = Buffer.alloc(Math.min(EDGE_BYTES, size));
    await handle.read(tail, 0, tail.length, size - tail.length);
    edges = textEdges(head, tail);
  } finally {
    await handle.close();
  }

  const counter = new LongLineCounter();
  for await (const chunk of createReadStream(file, { highWaterMark: READ_CHUNK_BYTES })) counter.push(chunk as Buffer);
  return { file, compression: 'none', parquet, ...edges, gzipError: null, bytes: size, longLines: counter.finish() };
}

/**
 * Writes the readable part of a damaged gzip file to `target` as plain text
 * and returns the probe of that text. Z_SYNC_FLUSH makes zlib hand over every
 * byte it could decode before the damage. The stream breaks off mid-line, so
 * the text after the last line end is left out of the copy, and `cutLine`
 * is true when there was any.
 */
export async function recoverGzip(probe: FileProbe, target: string): Promise<{ probe: FileProbe; cutLine: boolean }> {
  const scan = await scanGzip(probe.file, createGunzip({ finishFlush: zlibConstants.Z_SYNC_FLUSH }), createWriteStream(target));

  // NOTE: a last line longer than 64 KiB has no line end in the kept tail, so it stays in the copy whole or cut.
  const lastBreak = scan.tail.lastIndexOf(0x0a);
  const cutBytes = lastBreak < 0 ? 0 : scan.tail.length - lastBreak - 1;
  if (cutBytes > 0) await truncate(target, scan.bytes - cutBytes);

  const tail = scan.tail.subarray(0, scan.tail.length - cutBytes);
  const cutLine = scan.tail.subarray(tail.length).toString('utf8').trim() !== '';
  return { probe: { ...probe, ...textEdges(scan.head, tail), bytes: scan.bytes - cutBytes }, cutLine };
}

interface GzipScan {
  head: Buffer;
  tail: Buffer;
  bytes: number;
  error: string | null;
  longLines: number;
}

/** Streams a gzip file through `gunzip` into `sink`, keeping the first and last 64 KiB. */
async function scanGzip(file: string, gunzip: ReturnType<typeof createGunzip>, sink: Writable): Promise<GzipScan> {
  const headChunks: Buffer[] = [];
  let headBytes = 0;
  let tailChunks: Buffer[] = [];
  let tailBytes = 0;
  let bytes = 0;
  const counter = new LongLineCounter();

  gunzip.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    counter.push(chunk);
    if (headBytes < EDGE_BYTES) {
      headChunks.push(chunk);
      headBytes += chunk.length;
    }
    tailChunks.push(chunk);
    tailBytes += chunk.length;
    // Drop whole chunks from the front while the rest still covers 64 KiB.
    while (tailChunks.length > 1 && tailBytes - tailChunks[0].length >= EDGE_BYTES) {
      tailBytes -= tailChunks[0].length;
      tailChunks = tailChunks.slice(1);
    }
  });

  let error: string | null = null;
  try {
    await pipeline(createReadStream(file), gunzip, sink);
  } catch (cause) {
    error = messageOf(cause);
  }

  const head = Buffer.concat(headChunks).subarray(0, EDGE_BYTES);
  const tail = Buffer.concat(tailChunks);
  return { head, tail: tail.subarray(Math.max(0, tail.length - EDGE_BYTES)), bytes, error, longLines: counter.finish() };
}

async function readStart(file: string, length: number): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Decodes the two ends of a file and finds the text after its last line end. */
function textEdges(head: Buffer, tail: Buffer): Pick<FileProbe, 'head' | 'tail' | 'unterminatedLine'> {
  const tailText = tail.toString('utf8');
  const lastBreak = tailText.lastIndexOf('\n');
  const rest = tailText.slice(lastBreak + 1).replace(/\r$/, '');
  // A 64 KiB tail without any line end contains no whole line, so where the last line starts is unknown.
  const unterminatedLine = rest.trim() === '' || (lastBreak < 0 && tail.length >= EDGE_BYTES) ? null : rest;
  return { head: head.toString('utf8'), tail: tailText, unterminatedLine };
}
