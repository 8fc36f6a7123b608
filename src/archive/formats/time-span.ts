import type { Database } from '../../db.js';
import type { ResolvedSource, TimeSpan } from '../source.js';
import { readList } from './sql.js';

/**
 * Reads the span of a parquet source's time column from the row-group
 * statistics in the files' footers, without reading the column itself.
 * Returns undefined for other formats, for a time column that is not a
 * timestamp, and when any row group lacks statistics for it: the span is
 * then unknown. A zone-less timestamp's statistics are read as UTC, so its
 * span can be off by the zone's offset.
 */
export async function parquetTimeSpan(db: Database, source: ResolvedSource): Promise<TimeSpan | undefined> {
  const column = source.fields.time;
  if (column === undefined || (source.format !== 'parquet' && source.format !== 'lake')) return undefined;
  if (source.format === 'parquet' && !source.columnTypes?.get(column)?.startsWith('TIMESTAMP')) return undefined;

  const [row] = await db.query(
    `SELECT count(*)::INTEGER AS row_groups,
            count(TRY_CAST(stats_min_value AS TIMESTAMPTZ))::INTEGER AS with_first,
            count(TRY_CAST(stats_max_value AS TIMESTAMPTZ))::INTEGER AS with_last,
            epoch_ms(min(TRY_CAST(stats_min_value AS TIMESTAMPTZ)))::DOUBLE AS first,
            epoch_ms(max(TRY_CAST(stats_max_value AS TIMESTAMPTZ)))::DOUBLE AS last
     FROM parquet_metadata(${readList(source.files)})
     WHERE path_in_schema = $column`,
    { column },
    `the statistics of ${source.config.name}'s parquet files`,
  );
  const groups = Number(row.row_groups);
  if (groups === 0 || Number(row.with_first) < groups || Number(row.with_last) < groups) return undefined;
  return { first: new Date(Number(row.first)), last: new Date(Number(row.last)) };
}
