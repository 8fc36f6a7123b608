import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { embeddedDatabasePath } from '../../src/enrich/geoip-database.js';
import { EXIT } from '../../src/errors.js';
import { PROJECT_ROOT } from '../../src/paths.js';
import { MAXMIND_TEST_DATA } from '../helpers/shared-data.js';
import { tempDir } from '../helpers/temp.js';
import { freshStateDir, twoClientConfig, writeTwoClientArchive } from '../helpers/two-clients.js';

const dir = tempDir();
const archive = writeTwoClientArchive(dir);

/** Runs `portbrief weekly` for 2025-W08 in a dry run with `geoip` in the config, and returns its exit code and stderr. */
function weeklyWith(geoip: Record<string, string>) {
  const output = tempDir();
  const config = { ...twoClientConfig(archive, output, freshStateDir(), 25), geoip };
  const file = path.join(output, 'portbrief.yaml');
  writeFileSync(file, JSON.stringify(config));
  const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'src', 'cli.ts'), 'weekly', '--config', file, '--week', '2025-W08', '--dry-run'], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
    env: { ...process.env, PORTBRIEF_LOG_LEVEL: 'error' },
  });
  return { status: result.status, stderr: result.stderr, file };
}

describe('GeoIP database faults in a weekly run', () => {
  it('names a truncated country database', () => {
    const database = path.join(dir, 'half.mmdb');
    const whole = readFileSync(embeddedDatabasePath());
    writeFileSync(database, whole.subarray(0, Math.floor(whole.length / 2)));

    const result = weeklyWith({ country: database });
    expect(result.status).toBe(EXIT.usage);
    // The metadata section sits at the end of an .mmdb file, so the first half has none and the reader parses garbage.
    expect(result.stderr).toMatch(/^portbrief: GeoIP database \S+half\.mmdb is not a valid MaxMind database \(.+\)\. /m);
    expect(result.stderr).toContain(`Check geoip.country in ${result.file}; it must name a GeoLite2/GeoIP2 Country or City .mmdb file.\n`);
  });

  it('names a missing country database', () => {
    const database = path.join(dir, 'missing.mmdb');
    const result = weeklyWith({ country: database });
    expect(result.status).toBe(EXIT.usage);
    expect(result.stderr).toContain(
      `portbrief: GeoIP database ${database}: not found. Check geoip.country in ${result.file}; it must name a GeoLite2/GeoIP2 Country or City .mmdb file.\n`,
    );
  });

  const asnTestDatabase = path.join(MAXMIND_TEST_DATA, 'GeoLite2-ASN-Test.mmdb');
  it.skipIf(!existsSync(asnTestDatabase))('names an ASN database as country database', () => {
    const database = asnTestDatabase;
    const result = weeklyWith({ country: database });
    expect(result.status).toBe(EXIT.usage);
    expect(result.stderr).toContain(`GeoIP database ${database} is a GeoLite2-ASN database, which has no country data. Check geoip.country in ${result.file};`);
  });
});
