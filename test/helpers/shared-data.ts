import { existsSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/paths.js';

/**
 * The folder of real public archives and databases the tests read. Set
 * PORTBRIEF_SHARED_DATA to point elsewhere; by default it is the `shared/data`
 * folder beside the project's folder.
 */
export const SHARED_DATA = path.resolve(process.env.PORTBRIEF_SHARED_DATA ?? path.join(PROJECT_ROOT, '..', 'shared', 'data'));

export const hasSharedData = existsSync(path.join(SHARED_DATA, 'marx-honeypot'));

/** Suffix of the names of suites that read the real archives: where they come from, or why the suite is skipped. */
export const SKIP_REASON = hasSharedData
  ? `real archives from ${SHARED_DATA}`
  : `skipped because no real archives were found at ${SHARED_DATA}; set PORTBRIEF_SHARED_DATA to their folder`;

/** Path of a file under the shared data folder. */
export function sharedFile(...parts: string[]): string {
  return path.join(SHARED_DATA, ...parts);
}

export const GEOLITE2_2019 = sharedFile('geolite2-country-2019-ccbysa', 'GeoLite2-Country_build-2019-12-24.mmdb');
export const MARX_CSV = sharedFile('marx-honeypot', 'marx.csv.gz');
export const MAXMIND_TEST_DATA = sharedFile('maxmind-test-data');
/** Glob of the ufw firewall logs (syslog lines with SRC= and DPT=). */
export const UFW_LOGS = sharedFile('ufw-vps-2024', '*.log.gz');
