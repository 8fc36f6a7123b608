import Handlebars from 'handlebars';

const numberFormat = new Intl.NumberFormat('en-US');
const countryNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'code' });

/** Formats a count with en-US digit grouping: 2976 -> 2,976. */
export function formatNumber(value: number): string {
  return numberFormat.format(value);
}

/**
 * Formats a fraction (0-1) as a percentage with `digits` decimals: 0.4628 ->
 * 46.3%. A share that is not zero but rounds to zero is written <0.1%, so a
 * port with sessions never shows 0.0%.
 */
export function formatPercent(value: number, digits = 1): string {
  const smallest = 10 ** -digits / 100;
  if (value > 0 && value < smallest / 2) return `<${formatPercent(smallest, digits)}`;
  return new Intl.NumberFormat('en-US', { style: 'percent', minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value);
}

const shortCountryNames = new Intl.DisplayNames(['en'], { type: 'region', style: 'short', fallback: 'code' });

/**
 * Returns the English name of an ISO 3166-1 alpha-2 code, or the code when
 * the runtime has no name for it. The short form is taken where it is a name
 * rather than an abbreviation: Hong Kong for "Hong Kong SAR China", but not
 * US for "United States".
 */
export function countryName(code: string): string {
  try {
    const name = countryNames.of(code.toUpperCase()) ?? code;
    const short = shortCountryNames.of(code.toUpperCase()) ?? name;
    return /^[A-Z.]+$/.test(short) ? name : short;
  } catch {
    return code;
  }
}

/** Codes of countries whose English name takes "the" in running text. */
const NAMES_WITH_ARTICLE = new Set(['US', 'GB', 'NL', 'AE', 'PH', 'DO', 'BS', 'CF', 'KM', 'SC', 'MV', 'GM', 'BQ', 'UM', 'VA', 'EU'].map(countryName));

/**
 * Writes a country name as it reads inside a sentence: "the United States",
 * "the Cayman Islands", but "Iran".
 */
export function countryInText(name: string): string {
  const article = NAMES_WITH_ARTICLE.has(name) || /\b(Islands|Republic|Emirates|Kingdom|States|Territories)$/.test(name);
  return article ? `the ${name}` : name;
}

/** Writes a port with its IANA service name: 1433 (ms-sql-s), or the number alone when unnamed. */
export function portLabel(port: number, service: string | undefined): string {
  return service ? `${port} (${service})` : String(port);
}

/** Names an autonomous system as analysts write it: AS15169 Google LLC, or AS15169 when the database names no organisation. */
export function asLabel(asn: number, organisation: string | undefined): string {
  return organisation ? `AS${asn} ${organisation}` : `AS${asn}`;
}

/** Returns `count word` with the plural form when count is not 1: 1 source, 2 sources. */
export function pluralize(count: number, singular: string, plural = `${singular}s`): string {
  return `${formatNumber(count)} ${count === 1 ? singular : plural}`;
}

/** Returns the possessive of a name: China’s, but Philippines’ for a name ending in s. */
export function possessive(name: string): string {
  return name.endsWith('s') ? `${name}’` : `${name}’s`;
}

/** Joins items as English prose: "a", "a and b", "a, b and c". */
export function joinList(items: Array<string | number>): string {
  const texts = items.map(String);
  if (texts.length <= 1) return texts.join('');
  return `${texts.slice(0, -1).join(', ')} and ${texts.at(-1)}`;
}

/** Says which ports of a finding rest on few distinct sources: "3390 and 3391 each come from a single source." */
export function fewSourcesSentence(ports: Array<{ port: number; sources: number }>): string {
  if (ports.length === 0) return '';
  const single = ports.filter((entry) => entry.sources === 1);
  const few = ports.filter((entry) => entry.sources > 1);
  const sentences: string[] = [];
  if (single.length === 1) sentences.push(`${single[0].port} comes from a single source.`);
  if (single.length > 1) sentences.push(`${joinList(single.map((entry) => entry.port))} each come from a single source.`);
  for (const entry of few) sentences.push(`${entry.port} comes from only ${entry.sources} sources.`);
  return sentences.join(' ');
}

/** Writes a share change in percentage points with its sign: +4.2 pp, -1.0 pp. */
export function formatPoints(value: number): string {
  return `${value > 0 ? '+' : value < 0 ? '−' : '±'}${Math.abs(value).toFixed(1)} pp`;
}

/** Writes an ISO 8601 timestamp as its UTC calendar date, YYYY-MM-DD. */
export function formatDate(iso: string): string {
  return new Date(iso).toISOString().slice(0, 10);
}

/** Formats an ISO timestamp to the minute in UTC: 2026-12-04 12:00 UTC. */
export function formatDateTime(iso: string): string {
  const text = new Date(iso).toISOString();
  return `${text.slice(0, 10)} ${text.slice(11, 16)} UTC`;
}

/** Describes how a port's rank changed since last week: ▲14 (from #23), ▼2 (from #2), = or — when it was not ranked. */
export function rankChange(rank: number, previousRank: number | null): string {
  if (previousRank === null) return '—';
  if (previousRank === rank) return '=';
  const arrow = previousRank > rank ? `▲${previousRank - rank}` : `▼${rank - previousRank}`;
  return `${arrow} (from #${previousRank})`;
}

/** Returns `value` when it is a finite number and throws otherwise, so that a number helper prints no NaN. */
function requireFinite(value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  throw new Error('expected a finite number');
}

/** Returns `value` when it is a string and throws otherwise, so that a text helper prints no "undefined". */
function requireString(value: unknown): string {
  if (typeof value === 'string') return value;
  throw new Error('expected a string');
}

/**
 * Registers the brief's helpers on a Handlebars environment. Each returns
 * plain text, which Handlebars escapes in `{{…}}`, so no helper can let
 * archive data through as markup. A helper given a value it cannot format
 * (a name where a number belongs, a missing field) throws instead of
 * printing NaN or undefined.
 */
export function registerHelpers(handlebars: typeof Handlebars): void {
  handlebars.registerHelper('number', (value: unknown) => formatNumber(requireFinite(value)));
  handlebars.registerHelper('percent', (value: unknown, digits: unknown) => formatPercent(requireFinite(value), typeof digits === 'number' ? digits : 1));
  handlebars.registerHelper('countryName', (code: unknown) => countryName(requireString(code)));
  handlebars.registerHelper('asLabel', (asn: unknown, organisation: string) => asLabel(requireFinite(asn), organisation));
  handlebars.registerHelper('portLabel', (port: unknown, service: string) => portLabel(requireFinite(port), service));
  handlebars.registerHelper('plural', (count: unknown, singular: unknown, plural: unknown) =>
    pluralize(requireFinite(count), requireString(singular), typeof plural === 'string' ? plural : undefined),
  );
  handlebars.registerHelper('possessive', (name: unknown) => possessive(requireString(name)));
  handlebars.registerHelper('countryInText', (name: unknown) => countryInText(requireString(name)));
  handlebars.registerHelper('countryList', (countries: Array<{ name: string }>) => joinList((countries ?? []).map((country) => countryInText(requireString(country.name)))));
  handlebars.registerHelper('rankChange', (rank: unknown, previousRank: unknown) =>
    rankChange(requireFinite(rank), previousRank === null ? null : requireFinite(previousRank)),
  );
  handlebars.registerHelper('date', (iso: unknown) => formatDate(requireString(iso)));
  handlebars.registerHelper('dateTime', (iso: unknown) => formatDateTime(requireString(iso)));
  handlebars.registerHelper('joinList', (items: Array<string | number>) => joinList(items ?? []));
  handlebars.registerHelper('fewSources', (ports: Array<{ port: number; sources: number }>) => fewSourcesSentence(ports ?? []));
  handlebars.registerHelper('points', (value: unknown) => formatPoints(requireFinite(value)));
  // A figure that is null (no baseline yet) prints as nothing.
  handlebars.registerHelper('fixed', (value: unknown, digits: unknown) => {
    if (value === null) return '';
    return requireFinite(value).toFixed(typeof digits === 'number' ? digits : 1);
  });
  handlebars.registerHelper('ratio', (part: unknown, whole: unknown) => (requireFinite(whole) > 0 ? requireFinite(part) / requireFinite(whole) : 0));
  handlebars.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  handlebars.registerHelper('gt', (a: number, b: number) => a > b);
  handlebars.registerHelper('lt', (a: number, b: number) => a < b);
}
