import type { Config } from '../config/load.js';
import type { Database } from '../db.js';
import { EXIT, PortbriefError, messageOf } from '../errors.js';
import { fieldPaths, sampleJsonRecords } from './formats/json-layout.js';
import { compressionOf } from './formats/lines.js';
import { groupBy } from './formats/sql.js';
import { tableReaderSql } from './formats/tabular.js';
import type { Fields, ResolvedSource } from './source.js';

/**
 * Fails early, naming the mapping key and what the file offers, when the
 * field mapping misses a required value or names a column or JSON field that
 * the files lack. Zeek fields are checked against #fields when the source's
 * SQL is built.
 */
export async function checkSource(db: Database, config: Config, source: ResolvedSource): Promise<void> {
  const available = await availableFields(db, config, source);
  const required: Array<keyof Fields> = source.format === 'syslog-ufw' ? ['srcIp', 'dstPort'] : ['time', 'srcIp', 'dstPort'];
  const kind = source.format === 'csv' || source.format === 'parquet' ? 'column' : 'field';
  const offer = available ? `; the ${kind}s of ${source.files[0].path} are ${available.join(', ')}` : '';

  for (const key of required) {
    if (source.fields[key] === undefined) {
      throw new PortbriefError(`${config.file}: sources[${source.index}].fields.${key}: missing; the source is read as ${source.format}, which needs it${offer}.`, {
        exitCode: EXIT.usage,
      });
    }
  }
  if (!available) return;

  for (const [key, name] of Object.entries(source.fields)) {
    if (name === undefined || name.startsWith('$') || available.includes(name)) continue;
    // Only the first records of a JSON file are sampled, so an optional field may be absent there.
    if (source.format !== 'csv' && source.format !== 'parquet' && !required.includes(key as keyof Fields)) continue;
    throw new PortbriefError(`${config.file}: sources[${source.index}].fields.${key}: ${kind} '${name}' not found in ${source.files[0].path}; its ${kind}s are ${available.join(', ')}.`, {
      exitCode: EXIT.usage,
    });
  }
}

/** Column names (csv, parquet) or the field paths of the first records (json, zeek-json); undefined where not checked. */
async function availableFields(db: Database, config: Config, source: ResolvedSource): Promise<string[] | undefined> {
  if (source.format === 'csv' || source.format === 'parquet') {
    // DuckDB reads one compression per call, so a source that mixes plain and gzip files is described per compression, as it is read.
    const groups = source.format === 'csv' ? groupBy(source.files, compressionOf) : [source.files];
    let columns: string[] | undefined;
    for (const [group, files] of groups.entries()) {
      try {
        const rows = await db.query(`DESCRIBE SELECT * FROM ${tableReaderSql(source, group, files)}`);
        columns ??= rows.map((row) => String(row.column_name)).filter((column) => column !== 'filename');
        if (source.format === 'parquet') source.columnTypes = new Map(rows.map((row) => [String(row.column_name), String(row.column_type)]));
      } catch (error) {
        throw new PortbriefError(
          `${config.file}: sources[${source.index}] '${source.config.name}': cannot read ${files.map((file) => file.path).join(', ')} as ${source.format}: ${firstLine(messageOf((error as Error).cause ?? error))}. Check sources[${source.index}].format and the file.`,
          { cause: error },
        );
      }
    }
    return columns;
  }

  if (source.format === 'json' || source.format === 'zeek-json') {
    const file = source.files[0];
    const records = sampleJsonRecords(file.probe!.head, file.jsonLayout!);
    if (records.length === 0) return undefined;
    const paths = new Set(records.flatMap((record) => fieldPaths(record)));
    // A nested object's own path counts too, so a mapping may name `flow` or `flow.start`.
    for (const name of [...paths]) for (let cut = name.indexOf('.'); cut > 0; cut = name.indexOf('.', cut + 1)) paths.add(name.slice(0, cut));
    return [...paths];
  }
  return undefined;
}

/** DuckDB appends the failing SQL to its messages; the first line is the one a user needs. */
function firstLine(message: string): string {
  return message.split('\n')[0].trim();
}
