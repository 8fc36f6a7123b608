import { Database } from '../../src/db.js';
import { openCountryDatabase } from '../../src/enrich/geoip-database.js';
import { loadRangeTable } from '../../src/enrich/range-cache.js';
import { silentLogger } from '../../src/log.js';
import { GEOLITE2_2019, SKIP_REASON, hasSharedData } from './shared-data.js';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SHARED_STATE_DIR } from './temp.js';

/**
 * Says once why the tests on real archives are skipped, and builds the GeoIP
 * range caches the tests copy into their own state folders, so no test walks
 * a database that another already walked.
 */
export default async function setup(): Promise<() => void> {
  if (!hasSharedData) process.stderr.write(`\nportbrief tests: the tests on real archives are ${SKIP_REASON}\n\n`);

  const databases = hasSharedData ? [undefined, GEOLITE2_2019] : [undefined];
  const db = await Database.open();
  try {
    for (const file of databases) {
      await loadRangeTable(db, await openCountryDatabase(file, 'test setup'), SHARED_STATE_DIR, silentLogger());
    }
  } finally {
    db.close();
  }
  // Every temporary folder of this run goes under one folder that the
  // teardown removes: the workers inherit TMPDIR, and so do the CLI and
  // Chromium processes they start. A folder whose test-level cleanup never
  // ran, or that a killed process left, goes with it.
  const run = mkdtempSync(path.join(tmpdir(), 'portbrief-test-run-'));
  const states = path.join(run, 'states');
  mkdirSync(states);
  process.env.PORTBRIEF_TEST_STATES = states;
  process.env.PORTBRIEF_TEST_SHARED_STATE = SHARED_STATE_DIR;
  process.env.TMPDIR = run;
  return () => rmSync(run, { recursive: true, force: true });
}
