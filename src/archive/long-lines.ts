import { createReadStream, createWriteStream } from 'node:fs';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';

/**
 * The maximum size of a line that portbrief passes to DuckDB, in bytes with
 * its line end, which is how DuckDB measures max_line_size. DuckDB 1.5's readers with
 * ignore_errors drop a longer line without listing it in their rejects
 * table, and its CSV sniffer fails on one, so such lines are left out of a
 * copy beforehand and counted as rejected.
 */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

/** Reject reason for a line longer than MAX_LINE_BYTES. */
export const LINE_TOO_LONG = 'line too long';

/** Size of the chunks files are read in; it must stay below MAX_LINE_BYTES (see LongLineCounter). */
export const READ_CHUNK_BYTES = 1024 * 1024;

/**
 * Counts the lines longer than MAX_LINE_BYTES in a stream of chunks, which
 * must be shorter than MAX_LINE_BYTES. A line that starts and ends within one
 * chunk is then shorter than the maximum, so only the lines around each
 * chunk's first and last line end are measured. A chunk costs two native
 * scans rather than one step per line.
 */
export class LongLineCounter {
  count = 0;
  /** Bytes of the current line seen so far. */
  private length = 0;

  push(chunk: Buffer): void {
    const first = chunk.indexOf(0x0a);
    if (first < 0) {
      this.length += chunk.length;
      return;
    }
    this.endLine(this.length + first);
    this.length = chunk.length - chunk.lastIndexOf(0x0a) - 1;
  }

  /** Counts the last line when the stream does not end with a line end, and returns the count. */
  finish(): number {
    if (this.length > 0) this.endLine(this.length);
    this.length = 0;
    return this.count;
  }

  /** Counts a line of `bytes` without its line end; the end adds at least one byte. */
  private endLine(bytes: number): void {
    if (bytes >= MAX_LINE_BYTES) this.count++;
  }
}

/**
 * Copies text, leaving out lines longer than MAX_LINE_BYTES. It buffers at
 * most one line of MAX_LINE_BYTES, so memory stays bounded whatever the
 * file's longest line. Like LongLineCounter, it relies on chunks shorter than
 * MAX_LINE_BYTES, so whole lines inside a chunk pass without a check.
 */
class LongLineFilter extends Transform {
  dropped = 0;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private skipping = false;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    const first = chunk.indexOf(0x0a);
    if (first < 0) {
      this.hold(chunk);
      done();
      return;
    }

    this.hold(chunk.subarray(0, first + 1));
    if (!this.skipping) this.push(Buffer.concat(this.pending));
    this.pending = [];
    this.pendingBytes = 0;
    this.skipping = false;

    const last = chunk.lastIndexOf(0x0a);
    if (last > first) this.push(chunk.subarray(first + 1, last + 1));
    this.hold(chunk.subarray(last + 1));
    done();
  }

  override _flush(done: TransformCallback): void {
    if (!this.skipping && this.pendingBytes > 0) this.push(Buffer.concat(this.pending));
    done();
  }

  /**
   * Adds bytes to the current line, dropping the line once it is longer than
   * MAX_LINE_BYTES with its line end, which a line still without one will get.
   */
  private hold(bytes: Buffer): void {
    if (this.skipping || bytes.length === 0) return;
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    const lineBytes = bytes[bytes.length - 1] === 0x0a ? this.pendingBytes - 1 : this.pendingBytes;
    if (lineBytes >= MAX_LINE_BYTES) {
      this.dropped++;
      this.skipping = true;
      this.pending = [];
      this.pendingBytes = 0;
    }
  }
}

/**
 * Writes `source` (decompressed when `gzip`) to `target` without its lines
 * longer than MAX_LINE_BYTES, and returns how many were left out.
 */
export async function copyWithoutLongLines(source: string, gzip: boolean, target: string): Promise<number> {
  const filter = new LongLineFilter();
  const input = createReadStream(source, { highWaterMark: READ_CHUNK_BYTES });
  const output = createWriteStream(target);
  if (gzip) await pipeline(input, createGunzip(), filter, output);
  else await pipeline(input, filter, output);
  return filter.dropped;
}
