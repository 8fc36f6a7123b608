import { EXIT, PortbriefError } from '../../errors.js';
import { sqlString } from '../../db.js';
import type { ArchiveFile, Fields, ResolvedSource } from '../source.js';
import { linesSubquery } from './lines.js';
import { MALFORMED_RECORD, type SourceRead, TRUNCATED_FILE, formattedTime, groupBy, isUnterminatedLine, rawSelect } from './sql.js';

/** The header of a Zeek (or Bro 2.x) ASCII log. */
export interface ZeekHeader {
  separator: string;
  /** Written for a field that has no value. */
  unsetField: string;
  /** Written for an empty set or string. */
  emptyField: string;
  fields: string[];
}

/**
 * Parses the #separator, #unset_field, #empty_field and #fields lines at the
 * start of a Zeek log. Leading whitespace before a header line is ignored,
 * and the separator may follow #separator after a space or a tab, because
 * files copied between tools show both.
 */
export function parseZeekHeader(head: string, file: string): ZeekHeader {
  const lines = head.split(/\r?\n/).map((line) => line.replace(/^[ \t]+/, ''));
  const separatorLine = lines.find((line) => line.startsWith('#separator'));
  const separator = separatorLine ? unescapeZeek(separatorLine.slice('#separator'.length).trim()) : '\t';

  const value = (name: string, fallback: string) => {
    const line = lines.find((candidate) => candidate.startsWith(`#${name}${separator}`));
    return line ? line.slice(name.length + 1 + separator.length) : fallback;
  };

  const fieldsLine = lines.find((line) => line.startsWith(`#fields${separator}`));
  if (!fieldsLine) {
    throw new PortbriefError(`${file}: no #fields line in the first 64 KiB, so it is not a Zeek ASCII log. Check the file, or the source's format.`, {
      exitCode: EXIT.usage,
    });
  }
  return {
    separator,
    unsetField: value('unset_field', '-'),
    emptyField: value('empty_field', '(empty)'),
    fields: fieldsLine.split(separator).slice(1),
  };
}

/** Zeek writes the separator as an escape such as \x09. */
function unescapeZeek(text: string): string {
  return text.replace(/\\x([0-9a-fA-F]{2})/g, (_match, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/**
 * Reads Zeek ASCII logs. Files whose headers differ (current Zeek and Bro
 * 2.x lay out conn.log differently) are read in separate groups, each
 * picking the mapped fields by their position in its own #fields line.
 * Lines starting with '#' (headers and the #close footer) are not records.
 *
 * NOTE: only the first #fields line of a file is read. In logs concatenated
 * from files with different layouts, later rows count as malformed when their
 * column count differs, and are mapped by the first layout when it matches.
 */
export function zeekRead(source: ResolvedSource, configFile: string): SourceRead {
  const headers = new Map<ArchiveFile, ZeekHeader>(source.files.map((file) => [file, parseZeekHeader(file.probe!.head, file.path)]));
  const groups = groupBy(source.files, (file) => JSON.stringify(headers.get(file)));
  const rejects = [];
  const selects = [];

  for (const [index, files] of groups.entries()) {
    const header = headers.get(files[0])!;
    const column = fieldPicker(source, header, files[0].path, configFile);
    const lines = linesSubquery(source, files, MALFORMED_RECORD, `zeek${index}`);
    rejects.push(...lines.rejects);

    const from = `(SELECT file, line, string_split(line, ${sqlString(header.separator)}) AS parts FROM ${lines.sql} WHERE NOT regexp_matches(line, '^\\s*#'))`;
    const rawTime = column('time');
    selects.push(
      rawSelect(
        source,
        {
          file: 'file',
          rawTime,
          formattedTime: rawTime === undefined ? undefined : formattedTime(source, rawTime),
          srcIp: column('srcIp'),
          dstPort: column('dstPort'),
          proto: column('proto'),
          sensor: column('sensor'),
          // Zeek ends every line it writes, so a last line without a line end was cut off.
          readError: `CASE WHEN ${isUnterminatedLine(files, 'file', 'line')} THEN ${sqlString(TRUNCATED_FILE)} WHEN len(parts) <> ${header.fields.length} THEN ${sqlString(MALFORMED_RECORD)} END`,
        },
        from,
      ),
    );
  }
  return { sql: selects.join('\nUNION ALL BY NAME\n'), rejects };
}

/** Returns an SQL expression per mapped field: the column at its #fields position, unset and empty values as NULL. */
function fieldPicker(source: ResolvedSource, header: ZeekHeader, file: string, configFile: string) {
  return (key: keyof Fields): string | undefined => {
    const name = source.fields[key];
    if (name === undefined) return undefined;
    const position = header.fields.indexOf(name);
    if (position < 0) {
      throw new PortbriefError(
        `${configFile}: sources[${source.index}].fields.${key}: field '${name}' not found in the #fields line of ${file}; its fields are ${header.fields.join(', ')}.`,
        { exitCode: EXIT.usage },
      );
    }
    return `nullif(nullif(parts[${position + 1}], ${sqlString(header.unsetField)}), ${sqlString(header.emptyField)})`;
  };
}
