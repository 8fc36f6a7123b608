import type { Config } from '../config/load.js';
import { EXIT, PortbriefError } from '../errors.js';
import type { IsoWeek } from '../week.js';
import { whollyRejectedSources } from './accounting.js';
import type { ArchiveLoad } from './load.js';

/**
 * Throws a usage error unless the archive has accepted sessions in `week`:
 * it lists the weeks the archive covers or, when nothing was accepted, the
 * reasons rows were rejected and the mapping keys to check.
 */
export function requireWeekInArchive(config: Config, week: IsoWeek, archive: ArchiveLoad): void {
  const weeks = archive.weeks.map((row) => row.week);
  if (weeks.includes(week.id)) return;

  if (weeks.length === 0) {
    const reasons = new Map<string, number>();
    for (const file of archive.files) {
      for (const [reason, rows] of Object.entries(file.reasons)) reasons.set(reason, (reasons.get(reason) ?? 0) + rows);
    }
    const summary = [...reasons.entries()].sort((a, b) => b[1] - a[1]).map(([reason, rows]) => `${reason}: ${rows}`).join(', ');
    throw new PortbriefError(
      archive.totals.rowsRead === 0
        ? `The archive files of ${config.file} hold no rows, so there is no brief for ${week.id}. Check the sources' paths.`
        : `All ${archive.totals.rowsRead} rows of the archive were rejected (${summary}), so there is no brief for ${week.id}. Check the field mapping (sources[].fields) and time settings in ${config.file}.`,
      { exitCode: EXIT.usage },
    );
  }

  const listed = weeks.length <= 20 ? weeks.join(', ') : `${weeks.slice(0, 10).join(', ')}, … ${weeks.slice(-5).join(', ')}`;
  // A source whose rows were all rejected may be the one with sessions in the week.
  const rejected = whollyRejectedSources(config, archive.files).map((problem) => ` Also, ${problem}.`).join('');
  throw new PortbriefError(
    `The archive has no sessions in week ${week.id}. It covers ${weeks.length} week${weeks.length === 1 ? '' : 's'} from ${weeks[0]} to ${weeks.at(-1)}: ${listed}. Pass one of them with --week.${rejected}`,
    { exitCode: EXIT.usage },
  );
}
