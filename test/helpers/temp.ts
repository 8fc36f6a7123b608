import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';

/** Creates a fresh temporary folder, removed when the test file ends. */
export function tempDir(prefix = 'portbrief-test-'): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * A state folder shared by every test run on this machine, so each GeoIP
 * range table is walked once and then read from its parquet cache. The
 * global setup passes it to the workers in PORTBRIEF_TEST_SHARED_STATE,
 * because it points their TMPDIR at the run's own folder.
 */
export const SHARED_STATE_DIR = process.env.PORTBRIEF_TEST_SHARED_STATE ?? path.join(tmpdir(), 'portbrief-test-state');

/**
 * The parent of this test run's state folders. The global setup creates it
 * and passes it to the test workers in PORTBRIEF_TEST_STATES, and removes it
 * when the run ends, so parallel runs never share a lock or ledger.
 */
export const STATE_DIRS = process.env.PORTBRIEF_TEST_STATES ?? path.join(tmpdir(), 'portbrief-test-states');

/**
 * Creates a fresh state folder for one weekly run whose geoip/ folder links
 * to the shared range cache. Runs then keep their own lock and ledger, so
 * test files running at the same time never wait for each other's lock,
 * while each range table is still built once.
 */
export function runStateDir(): string {
  const dir = tempDir('portbrief-state-');
  const cache = path.join(SHARED_STATE_DIR, 'geoip');
  mkdirSync(cache, { recursive: true });
  symlinkSync(cache, path.join(dir, 'geoip'));
  return dir;
}
