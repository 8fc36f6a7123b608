import { describe, expect, it } from 'vitest';
import { countryInText, countryName, formatDate, formatNumber, formatPercent, portLabel, possessive, pluralize, rankChange } from '../../src/render/helpers.js';

describe('render helpers', () => {
  it('formats numbers and percentages in en-US', () => {
    expect(formatNumber(2976)).toBe('2,976');
    expect(formatNumber(1_234_567)).toBe('1,234,567');
    expect(formatPercent(0.46283)).toBe('46.3%');
    expect(formatPercent(1)).toBe('100.0%');
    expect(formatPercent(0.000_4, 2)).toBe('0.04%');
    expect(formatPercent(0.000_4)).toBe('<0.1%');
    expect(formatPercent(0)).toBe('0.0%');
  });

  it('names countries in English and falls back to the code', () => {
    expect(countryName('CN')).toBe('China');
    expect(countryName('ir')).toBe('Iran');
    expect(countryName('XK')).toBe('Kosovo');
    expect(countryName('ZZ')).toBe('Unknown Region');
    expect(countryName('not-a-code')).toBe('not-a-code');
    // CLDR's short form where it is a name, its long form where the short one is an abbreviation.
    expect(['HK', 'MO', 'PS', 'US', 'GB'].map(countryName)).toEqual(['Hong Kong', 'Macao', 'Palestine', 'United States', 'United Kingdom']);
  });

  it('puts "the" before the country names that take it in a sentence', () => {
    expect(['US', 'GB', 'NL', 'PH', 'KY', 'DO', 'IR', 'CN', 'HK'].map((code) => countryInText(countryName(code)))).toEqual([
      'the United States', 'the United Kingdom', 'the Netherlands', 'the Philippines', 'the Cayman Islands', 'the Dominican Republic', 'Iran', 'China', 'Hong Kong',
    ]);
    expect(possessive(countryInText(countryName('US')))).toBe('the United States’');
  });

  it('labels ports with their service when named', () => {
    expect(portLabel(1433, 'ms-sql-s')).toBe('1433 (ms-sql-s)');
    expect(portLabel(9530, '')).toBe('9530');
  });

  it('pluralises counts', () => {
    expect(pluralize(1, 'source')).toBe('1 source');
    expect(pluralize(2, 'source')).toBe('2 sources');
    expect(pluralize(1500, 'country', 'countries')).toBe('1,500 countries');
  });

  it('writes possessives', () => {
    expect(possessive('China')).toBe('China’s');
    expect(possessive('Philippines')).toBe('Philippines’');
  });

  it('describes rank changes', () => {
    expect(rankChange(9, 23)).toBe('▲14 (from #23)');
    expect(rankChange(4, 2)).toBe('▼2 (from #2)');
    expect(rankChange(3, 3)).toBe('=');
    expect(rankChange(3, null)).toBe('—');
  });

  it('writes ISO timestamps as dates', () => {
    expect(formatDate('2019-12-24T17:40:14.000Z')).toBe('2019-12-24');
  });
});
