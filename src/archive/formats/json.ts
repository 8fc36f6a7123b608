import { sqlString } from '../../db.js';
import type { ArchiveFile, Fields, JsonLayout, ResolvedSource } from '../source.js';
import { compressionOf, linesSubquery } from './lines.js';
import { MALFORMED_RECORD, type ReaderRejects, type SourceRead, TRUNCATED_FILE, fileColumn, formattedTime, groupBy, isUnterminatedLine, rawSelect, readList } from './sql.js';

/**
 * Largest JSON document DuckDB parses whole, for files that are not one
 * record per line. DuckDB reserves twice this for its read buffer, which
 * must fit in the memory limit (2 GB by default, PORTBRIEF_MEMORY_LIMIT).
 * NOTE: a larger single-document export must be converted to NDJSON first.
 */
const MAX_DOCUMENT_BYTES = 256 * 1024 * 1024;

/** Event types read from Suricata's eve.json by default: only flow events describe sessions. */
export const DEFAULT_EVENT_TYPES = ['flow'];

/**
 * Turns a field path from the config into JSONPath expressions. A path such
 * as `attack_connection.remote_ip` names nested keys. Zeek's JSON logs use
 * dots inside key names (`id.orig_h`), so the whole path is also tried as
 * one key. A path starting with `$` is used as written.
 */
export function jsonPaths(field: string): string[] {
  if (field.startsWith('$')) return [field];
  const quote = (key: string) => `"${key.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
  const nested = `$.${field.split('.').map(quote).join('.')}`;
  return field.includes('.') ? [`$.${quote(field)}`, nested] : [nested];
}

/**
 * Reads JSON records (json, zeek-json and suricata sources): each record
 * becomes one raw row, its mapped fields taken by path. A record that is not
 * a JSON object is a malformed record. For suricata, records whose
 * event_type is not in `eventTypes` are skipped, not rejected.
 */
export function jsonRead(source: ResolvedSource): SourceRead {
  const rejects: ReaderRejects[] = [];
  const layoutOf = (file: ArchiveFile): JsonLayout => file.jsonLayout ?? { kind: 'ndjson' };
  const selects = groupBy(source.files, (file) => `${compressionOf(file)} ${JSON.stringify(layoutOf(file))}`).map((files, index) => {
    const records = recordsSubquery(source, files, layoutOf(files[0]), index);
    rejects.push(...records.rejects);
    return recordsSelect(source, files, records.sql);
  });
  return { sql: selects.join('\nUNION ALL BY NAME\n'), rejects };
}

/** Builds a subquery with columns file, line and rec (the record's JSON text) for one group of files. */
function recordsSubquery(source: ResolvedSource, files: ArchiveFile[], layout: JsonLayout, index: number): { sql: string; rejects: ReaderRejects[] } {
  if (layout.kind === 'document') {
    const records = layout.recordsPath === null
      ? "CASE WHEN json_type(json) = 'ARRAY' THEN json::JSON[] ELSE [json] END"
      : `json_extract(json, ${sqlString(jsonPaths(layout.recordsPath).at(-1)!)})::JSON[]`;
    // The JSON reader names no compression 'uncompressed' where the CSV reader says 'none'.
    const compression = compressionOf(files[0]) === 'none' ? 'uncompressed' : compressionOf(files[0]);
    const options = ["format = 'auto'", 'filename = true', `compression = '${compression}'`, `maximum_object_size = ${MAX_DOCUMENT_BYTES}`];
    const sql = `(SELECT file, NULL::VARCHAR AS line, rec::VARCHAR AS rec FROM (SELECT ${fileColumn(files)} AS file, unnest(${records}) AS rec FROM read_json_objects(${readList(files)}, ${options.join(', ')})))`;
    return { sql, rejects: [] };
  }

  const lines = linesSubquery(source, files, MALFORMED_RECORD, `json${index}`);
  if (layout.kind === 'ndjson') return { sql: `(SELECT file, line, trim(line) AS rec FROM ${lines.sql})`, rejects: lines.rejects };

  // One record per line inside an array: a line keeps its text when it is
  // valid JSON as it is, else loses the array punctuation around it
  // ('[', '{"attacks":[', a trailing ',' or ']'). Lines left empty are array
  // punctuation, not records.
  const stripped = `regexp_replace(regexp_replace(trim(line), '^(\\{\\s*"[^"]*"\\s*:\\s*)?\\[\\s*', ''), '\\s*(,|\\]\\s*\\}?)\\s*$', '')`;
  const rec = `CASE WHEN json_valid(trim(line)) THEN trim(line) ELSE ${stripped} END`;
  const sql = `(SELECT file, line, rec FROM (SELECT file, line, ${rec} AS rec FROM ${lines.sql}) WHERE NOT regexp_full_match(rec, '[\\s,\\[\\]]*'))`;
  return { sql, rejects: lines.rejects };
}

/** Builds the raw-column SELECT over a records subquery. */
function recordsSelect(source: ResolvedSource, files: ArchiveFile[], records: string): string {
  const paths: string[] = [];
  const pick = (alternatives: string[]): string => {
    const positions = alternatives.flatMap(jsonPaths).map((path) => {
      paths.push(path);
      return `v[${paths.length}]`;
    });
    return `json_value_text(${positions.length === 1 ? positions[0] : `coalesce(${positions.join(', ')})`})`;
  };
  const field = (key: keyof Fields): string | undefined => {
    const name = source.fields[key];
    if (name === undefined) return undefined;
    // An eve event without flow.start (alert, dns) still has its own timestamp.
    if (key === 'time' && source.format === 'suricata' && source.config.fields?.time === undefined) return pick([name, 'timestamp']);
    return pick([name]);
  };

  const rawTime = field('time');
  const columns = {
    rawTime,
    srcIp: field('srcIp'),
    dstPort: field('dstPort'),
    proto: field('proto'),
    sensor: field('sensor'),
  };
  const eventType = source.format === 'suricata' ? pick(['event_type']) : undefined;

  const unparsed = `CASE WHEN ${isUnterminatedLine(files, 'file', 'line')} THEN ${sqlString(TRUNCATED_FILE)} ELSE ${sqlString(MALFORMED_RECORD)} END`;
  const readError = `CASE WHEN NOT json_valid(rec) THEN ${unparsed} WHEN json_type(rec) <> 'OBJECT' THEN ${sqlString(MALFORMED_RECORD)} END`;
  const parsed = `(SELECT file, read_error, CASE WHEN read_error IS NULL THEN json_extract(rec, [${paths.map(sqlString).join(', ')}]) END AS v FROM (SELECT file, rec, ${readError} AS read_error FROM ${records}))`;

  let skipReason: string | undefined;
  if (eventType !== undefined) {
    const eventTypes = (source.config.eventTypes ?? DEFAULT_EVENT_TYPES).map(sqlString).join(', ');
    skipReason = `CASE WHEN read_error IS NULL AND coalesce(${eventType}, '') NOT IN (${eventTypes}) THEN coalesce(${eventType}, 'untyped') || ' events' END`;
  }

  return rawSelect(
    source,
    { file: 'file', ...columns, formattedTime: rawTime === undefined ? undefined : formattedTime(source, rawTime), readError: 'read_error', skipReason },
    parsed,
  );
}
