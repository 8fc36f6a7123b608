import type { JsonLayout } from '../source.js';

/** `{"attacks":[` at the start of a file: an object whose records array starts on the first line. */
const OPENER = /^\{\s*"((?:[^"\\]|\\.)*)"\s*:\s*\[\s*(.*)$/;

/**
 * Detects from the first 64 KiB of a JSON file how its records are laid
 * out. The layouts are one object per line (NDJSON), an array or an object
 * holding one written with one record per line (T-Pot exports look like
 * this), or anything else. Returns null when the text does not start like JSON.
 */
export function detectJsonLayout(head: string, recordsPath: string | undefined): JsonLayout | null {
  const text = head.replace(/^\uFEFF/, '').trimStart();
  const lines = text.split(/\r?\n/);
  const complete = lines.length > 1 ? lines.slice(0, -1) : [];

  if (text.startsWith('[')) {
    const first = [complete[0]?.slice(1), complete[1]].find((line) => line !== undefined && stripRecord(line) !== '');
    return first !== undefined && isObject(stripRecord(first)) ? { kind: 'array-lines', recordsPath: null } : { kind: 'document', recordsPath: null };
  }
  if (!text.startsWith('{')) return null;

  if (complete.length > 0 && isObject(complete[0].trim())) {
    return recordsPath === undefined ? { kind: 'ndjson' } : { kind: 'document', recordsPath };
  }

  const opener = complete.length > 0 ? OPENER.exec(complete[0].trim()) : null;
  if (opener && (recordsPath === undefined || recordsPath === opener[1])) {
    const first = [opener[2], complete[1]].find((line) => line !== undefined && stripRecord(line) !== '');
    if (first !== undefined && isObject(stripRecord(first))) return { kind: 'array-lines', recordsPath: opener[1] };
    return { kind: 'document', recordsPath: opener[1] };
  }
  return { kind: 'document', recordsPath: recordsPath ?? null };
}

/** Removes the array punctuation around a record written on its own line: a leading '[', a trailing ',' or ']'. */
function stripRecord(line: string): string {
  return line
    .trim()
    .replace(/^\[\s*/, '')
    .replace(/\s*(,|\]\s*\}?)\s*$/, '');
}

function isObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

/**
 * Samples the first records of a JSON file's head, for naming the fields a
 * mapping could use. Returns at most `limit` records that fit whole in the head.
 */
export function sampleJsonRecords(head: string, layout: JsonLayout, limit = 20): Array<Record<string, unknown>> {
  const records: Array<Record<string, unknown>> = [];
  const lines = head.split(/\r?\n/).slice(0, -1);
  for (const [index, line] of lines.entries()) {
    if (records.length >= limit) break;
    const candidate = layout.kind === 'ndjson' ? line.trim() : stripRecord(index === 0 ? line.trim().replace(OPENER, '$2') : line);
    if (!candidate.startsWith('{')) continue;
    try {
      const value: unknown = JSON.parse(candidate);
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) records.push(value as Record<string, unknown>);
    } catch {
      // A record spread over several lines; the sample holds only whole-line records.
    }
  }
  return records;
}

/** Lists the field paths of a record: nested keys joined with dots, as a mapping names them. */
export function fieldPaths(record: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(record).flatMap(([key, value]) =>
    typeof value === 'object' && value !== null && !Array.isArray(value) && !Object.keys(value).some((k) => k.startsWith('$'))
      ? fieldPaths(value as Record<string, unknown>, `${prefix}${key}.`)
      : [`${prefix}${key}`],
  );
}
