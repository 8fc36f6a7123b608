import path from 'node:path';
import { sqlString } from '../../db.js';
import { EXIT, PortbriefError } from '../../errors.js';
import type { ArchiveFile, Fields, ResolvedSource } from '../source.js';
import { linesSubquery } from './lines.js';
import { MALFORMED_RECORD, type SourceRead, TRUNCATED_FILE, isUnterminatedLine, rawSelect } from './sql.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The traditional syslog prefix (RFC 3164): `Apr 28 00:00:54 host`. It has no year and no zone. */
const BSD_PREFIX = /^([A-Z][a-z]{2}) +(\d{1,2}) (\d{2}:\d{2}:\d{2}) +(\S+)/;

/** Keys of iptables LOG lines (SRC=, DPT=, ...), so the mapping cannot inject SQL or regex syntax. */
const KEY = /^[A-Za-z][A-Za-z0-9_]*$/;

/** The year and last month of one syslog file, for dating its year-less lines. */
export interface SyslogDating {
  year: number;
  /** Month (1-12) of the file's last dated line; lines of a later month belong to the year before. */
  lastMonth: number;
}

/**
 * Finds the year of a file's lines: `year` from the config, or the first
 * capture group of `yearFrom` applied to the file name. Syslog lines carry no
 * year, so a file is dated by its last line, and lines of a month after that
 * one are from the previous year (a December line in a file that ends in January).
 */
export function syslogDating(source: ResolvedSource, file: ArchiveFile, configFile: string): SyslogDating {
  let year = source.config.year;
  if (year === undefined) {
    const name = path.basename(file.path);
    const found = source.config.yearFrom === undefined ? null : new RegExp(source.config.yearFrom).exec(name);
    year = found?.[1] === undefined ? Number.NaN : Number(found[1]);
    if (!Number.isInteger(year) || year < 1970 || year > 9999) {
      throw new PortbriefError(
        `${configFile}: sources[${source.index}].yearFrom: the pattern ${source.config.yearFrom ?? '(not set)'} finds no year in the file name ${name}. Fix the pattern, or set year for the source.`,
        { exitCode: EXIT.usage },
      );
    }
  }

  const lines = (file.probe?.tail ?? '').split('\n').reverse();
  const lastDated = lines.map((line) => BSD_PREFIX.exec(line)).find((match) => match !== null);
  const lastMonth = lastDated ? MONTHS.indexOf(lastDated[1]) + 1 : 12;
  return { year, lastMonth: lastMonth > 0 ? lastMonth : 12 };
}

/**
 * Reads ufw and iptables LOG lines from syslog files. A line is a firewall
 * record when it contains `match` (default: the SRC= key); other lines are
 * skipped. Values come from the KEY=value pairs named by the mapping; a key
 * that is absent (GRE and IPv6-in-IPv4 lines have no DPT) leaves the value
 * empty. The time is the syslog prefix, or an RFC 3339 time where rsyslog
 * writes one.
 */
export function syslogRead(source: ResolvedSource, configFile: string): SourceRead {
  const lines = linesSubquery(source, source.files, MALFORMED_RECORD, 'syslog');
  const dating = source.files.map((file) => ({ file, ...syslogDating(source, file, configFile) }));
  const meta = `(VALUES ${dating.map((entry) => `(${sqlString(entry.file.path)}, ${entry.year}, ${entry.lastMonth})`).join(', ')}) AS meta(file, year, last_month)`;

  const key = (field: keyof Fields): string | undefined => {
    const name = source.fields[field];
    if (name === undefined) return undefined;
    if (field === 'sensor' && name === 'host') return "nullif(coalesce(nullif(bsd.host, ''), iso.host), '')";
    if (!KEY.test(name)) {
      throw new PortbriefError(`${configFile}: sources[${source.index}].fields.${field}: '${name}' is not a syslog key; use a key such as SRC, DPT or PROTO (or host for the sensor).`, {
        exitCode: EXIT.usage,
      });
    }
    return `nullif(regexp_extract(line, ${sqlString(`(?:^|\\s)${name}=(\\S*)`)}, 1), '')`;
  };

  const isRecord = source.config.match === undefined ? "regexp_matches(line, '(^|\\s)SRC=')" : `contains(line, ${sqlString(source.config.match)})`;
  const parsed = `(
    SELECT
        l.file,
        l.line,
        meta.year,
        meta.last_month,
        regexp_extract(l.line, '^([A-Z][a-z]{2}) +(\\d{1,2}) (\\d{2}:\\d{2}:\\d{2}) +(\\S+)', ['month', 'day', 'time', 'host']) AS bsd,
        regexp_extract(l.line, '^(\\d{4}-\\d{2}-\\d{2}T\\S+) +(\\S+)', ['time', 'host']) AS iso,
        ${isUnterminatedLine(source.files, 'l.file', 'l.line')} AS cut
    FROM ${lines.sql} AS l JOIN ${meta} USING (file)
  )`;

  const month = `list_position(${`[${MONTHS.map(sqlString).join(', ')}]`}, bsd.month)`;
  const year = `CASE WHEN ${month} > last_month THEN year - 1 ELSE year END`;
  const bsdTime = `timezone(${sqlString(source.timeZone)}, try_strptime(printf('%d %s %s %s', ${year}, bsd.month, bsd.day, bsd.time), '%Y %b %d %H:%M:%S'))`;

  const sql = rawSelect(
    source,
    {
      file: 'file',
      rawTime: "CASE WHEN bsd.month <> '' THEN concat_ws(' ', bsd.month, bsd.day, bsd.time) ELSE nullif(iso.time, '') END",
      formattedTime: `CASE WHEN bsd.month <> '' THEN ${bsdTime} ELSE parse_time(nullif(iso.time, ''), ${sqlString(source.timeZone)}) END`,
      srcIp: key('srcIp'),
      dstPort: key('dstPort'),
      proto: key('proto'),
      sensor: key('sensor'),
      // Syslog daemons end every line, so a last line without a line end was cut off.
      readError: `CASE WHEN cut THEN ${sqlString(TRUNCATED_FILE)} END`,
      skipReason: `CASE WHEN NOT cut AND NOT ${isRecord} THEN 'other log lines' END`,
    },
    parsed,
  );
  return { sql, rejects: lines.rejects };
}
