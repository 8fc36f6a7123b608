import { formatNumber } from '../render/helpers.js';
import type { IsoWeek } from '../week.js';
import type { DatabaseInfo } from './database-info.js';

/**
 * Days a database may be older than the end of the report week. Networks
 * move between holders and countries all the time, and MaxMind's geoipupdate
 * manual advises updating at least twice a week.
 */
export const MAX_DAYS_BEFORE_WEEK_END = 30;

/**
 * Days a database may be newer than the end of the report week. A database
 * built years after old traffic attributes it to the networks' later holders.
 */
export const MAX_DAYS_AFTER_WEEK_END = 365;

const DAY_MS = 86_400_000;

/**
 * Returns a warning for each way a database's build date does not fit the
 * report week, or none. The week ends on Sunday 24:00 UTC (`week.end`), and days
 * are whole days between that instant and the build time.
 */
export function databaseAgeWarnings(database: DatabaseInfo, week: IsoWeek): string[] {
  const built = Date.parse(database.buildDate);
  const weekEnd = week.end.getTime();
  const subject = `The ${database.role === 'country' ? 'country' : 'ASN'} database ${database.file} was built on ${database.buildDate.slice(0, 10)}`;
  const key = database.role === 'country' ? 'geoip.country' : 'geoip.asn';
  const moved = database.role === 'country' ? 'other countries' : 'other networks';

  const daysBefore = Math.floor((weekEnd - built) / DAY_MS);
  if (daysBefore > MAX_DAYS_BEFORE_WEEK_END) {
    return [
      `${subject}, ${formatNumber(daysBefore)} days before the end of week ${week.id}. ` +
        `Addresses that moved to ${moved} since then are attributed to their old ones. ` +
        `Point ${key} at a database built less than ${MAX_DAYS_BEFORE_WEEK_END} days before the week’s end.`,
    ];
  }

  const daysAfter = Math.floor((built - weekEnd) / DAY_MS);
  if (daysAfter > MAX_DAYS_AFTER_WEEK_END) {
    return [
      `${subject}, ${formatNumber(daysAfter)} days after the end of week ${week.id}. ` +
        `Addresses may have moved to ${moved} since that week, so some attributions may be wrong for it. ` +
        `For an old week, point ${key} at a database built near that week if you have one.`,
    ];
  }
  return [];
}
