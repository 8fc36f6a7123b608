import { writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Sessions of 2020-W02 (2020-01-06 to 2020-01-12) from sources that both the
 * GeoLite2 2019 country database and MaxMind's ASN test database cover, in
 * dotted, IPv4-mapped and IPv6 form, plus special-purpose and uncovered ones.
 */
export const SESSIONS: Array<[source: string, port: number, count: number]> = [
  ['12.81.92.1', 22, 4], // AS7018 AT&T Services, US
  ['12.81.96.7', 22, 1], // AS7018 in a range without an organisation name
  ['15.1.2.3', 22, 3], // AS71 Hewlett-Packard Company, US
  ['38.73.130.1', 22, 2], // AS174 Cogent Communications, US
  ['38.73.130.2', 22, 1],
  ['8.8.8.8', 22, 1], // US, outside the ASN test database
  ['15.1.2.3', 80, 2],
  ['1.128.0.1', 23, 2], // AS1221 Telstra Pty Ltd, AU
  ['::ffff:1.128.0.1', 23, 2], // the same source in IPv4-mapped form
  ['1.130.5.6', 23, 1],
  ['2001:1700::1', 445, 2], // AS6730 Sunrise Communications AG, CH
  ['2001:1700::2', 445, 1],
  ['10.0.0.1', 22, 2],
  ['fe80::1', 22, 1],
  ['100.64.0.1', 22, 1],
  ['192.0.2.1', 22, 1],
  ['224.0.0.1', 22, 1],
  ['fec0::1', 22, 1], // deprecated site-local: no special label and no database covers it
];

/** Writes the sessions as a CSV file in `dir` (columns time, src, dport, proto, sensor) and returns its path. */
export function writeAsnArchive(dir: string): string {
  const lines = ['time,src,dport,proto,sensor'];
  let second = 0;
  for (const [source, port, count] of SESSIONS) {
    for (let i = 0; i < count; i++) {
      second++;
      lines.push(`2020-01-08 10:00:${String(second).padStart(2, '0')},"${source}",${port},tcp,edge-1`);
    }
  }
  const file = path.join(dir, 'sessions.csv');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}
