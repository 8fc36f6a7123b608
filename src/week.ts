import { DateTime } from 'luxon';
import { EXIT, PortbriefError } from './errors.js';

/** An ISO 8601 week: Monday 00:00 UTC (inclusive) to the next Monday 00:00 UTC (exclusive). */
export interface IsoWeek {
  /** The week as `YYYY-Www`, for example `2025-W08`. */
  id: string;
  start: Date;
  end: Date;
}

const WEEK_PATTERN = /^(\d{4})-W(\d{2})$/;

/** Parses `YYYY-Www` into an ISO week, rejecting week numbers the year does not have. */
export function parseIsoWeek(text: string): IsoWeek {
  const match = WEEK_PATTERN.exec(text);
  if (!match) {
    throw new PortbriefError(`Invalid week '${text}': write it as YYYY-Www, for example 2025-W08.`, {
      exitCode: EXIT.usage,
    });
  }

  const start = DateTime.fromObject(
    { weekYear: Number(match[1]), weekNumber: Number(match[2]), weekday: 1 },
    { zone: 'utc' },
  );
  if (!start.isValid || start.weekNumber !== Number(match[2])) {
    throw new PortbriefError(`Invalid week '${text}': ${match[1]} has no week ${match[2]}.`, {
      exitCode: EXIT.usage,
    });
  }
  return fromStart(start);
}

/** Returns the ISO week before `week`. */
export function previousWeek(week: IsoWeek): IsoWeek {
  return weeksBefore(week, 1);
}

/** Returns the ISO week `count` weeks before `week`. */
export function weeksBefore(week: IsoWeek, count: number): IsoWeek {
  return fromStart(DateTime.fromJSDate(week.start, { zone: 'utc' }).minus({ weeks: count }));
}

/** Returns the ISO week that contains `date`. */
export function isoWeekOf(date: Date): IsoWeek {
  return fromStart(DateTime.fromJSDate(date, { zone: 'utc' }).startOf('week'));
}

/** Returns the last ISO week that has fully ended at `now`. */
export function lastCompleteWeek(now: Date): IsoWeek {
  const thisWeek = DateTime.fromJSDate(now, { zone: 'utc' }).startOf('week');
  return fromStart(thisWeek.minus({ weeks: 1 }));
}

function fromStart(start: DateTime): IsoWeek {
  return {
    id: `${start.weekYear}-W${String(start.weekNumber).padStart(2, '0')}`,
    start: start.toJSDate(),
    end: start.plus({ weeks: 1 }).toJSDate(),
  };
}
