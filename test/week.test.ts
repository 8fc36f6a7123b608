import { describe, expect, it } from 'vitest';
import { lastCompleteWeek, parseIsoWeek, previousWeek } from '../src/week.js';

describe('parseIsoWeek', () => {
  it('returns Monday to next Monday in UTC', () => {
    const week = parseIsoWeek('2013-W21');
    expect(week.id).toBe('2013-W21');
    expect(week.start.toISOString()).toBe('2013-05-20T00:00:00.000Z');
    expect(week.end.toISOString()).toBe('2013-05-27T00:00:00.000Z');
  });

  it('accepts week 53 in a long year', () => {
    expect(parseIsoWeek('2020-W53').start.toISOString()).toBe('2020-12-28T00:00:00.000Z');
  });

  it('rejects week 53 in a short year', () => {
    expect(() => parseIsoWeek('2021-W53')).toThrow('2021 has no week 53');
  });

  it('rejects text that is not YYYY-Www', () => {
    expect(() => parseIsoWeek('2021-21')).toThrow("Invalid week '2021-21': write it as YYYY-Www");
  });
});

describe('previousWeek', () => {
  it('crosses a year boundary', () => {
    expect(previousWeek(parseIsoWeek('2021-W01')).id).toBe('2020-W53');
  });
});

describe('lastCompleteWeek', () => {
  it('is the week before the current one', () => {
    expect(lastCompleteWeek(new Date('2026-12-04T20:00:00Z')).id).toBe('2026-W48');
  });

  it('on Monday morning is the week that just ended', () => {
    expect(lastCompleteWeek(new Date('2026-12-07T00:30:00Z')).id).toBe('2026-W49');
  });
});
