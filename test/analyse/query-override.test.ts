import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkDeployment } from '../../src/check.js';
import { validateConfig } from '../../src/config/load.js';
import { openConfiguredDatabases } from '../../src/enrich/enrich.js';
import { silentLogger } from '../../src/log.js';
import { QUERIES_DIR } from '../../src/paths.js';
import { parseIsoWeek, previousWeek } from '../../src/week.js';
import { analyse } from '../../src/weekly.js';
import { tempDir } from '../helpers/temp.js';
import { freshStateDir, twoClientConfig, writeTwoClientArchive } from '../helpers/two-clients.js';

const NOW = new Date('2026-12-04T12:00:00Z');
const WEEK = parseIsoWeek('2025-W08');

/** Writes the two-client deployment with `files` in its SQL override folder, and returns its config file. */
function deployment(files: Record<string, string>): { file: string; sql: string } {
  const dir = tempDir();
  const sql = path.join(dir, 'sql');
  mkdirSync(sql);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(sql, name), text);
  const raw = { ...twoClientConfig(writeTwoClientArchive(dir), path.join(dir, 'reports'), freshStateDir(), 25), queries: 'sql' };
  const file = path.join(dir, 'portbrief.yaml');
  writeFileSync(file, JSON.stringify(raw));
  return { file, sql };
}

async function briefPorts(configFile: string) {
  const config = validateConfig(JSON.parse(readFileSync(configFile, 'utf8')), configFile);
  const briefs = await analyse({ config, now: NOW, storeHistory: false }, WEEK, previousWeek(WEEK), await openConfiguredDatabases(config), silentLogger());
  return briefs.map(({ client, brief }) => [client.id, brief.countries.flatMap((country) => country.topPorts.map((row) => row.port))]);
}

describe('SQL override folder', () => {
  const shippedTopPorts = readFileSync(path.join(QUERIES_DIR, 'top_ports.sql'), 'utf8');

  it('replaces a shipped query and keeps the others', async () => {
    // Telnet (23) is beta's only port from JP; an override that leaves it out must remove it from beta's brief.
    const withoutTelnet = shippedTopPorts.replace('WHERE w.week = $week AND w.rank <= $ports', 'WHERE w.week = $week AND w.rank <= $ports AND w.port <> 23');
    expect(withoutTelnet).not.toBe(shippedTopPorts);

    const shipped = await briefPorts(deployment({}).file);
    const overridden = await briefPorts(deployment({ 'top_ports.sql': withoutTelnet }).file);

    expect(shipped.find(([client]) => client === 'beta')![1]).toContain(23);
    expect(overridden.find(([client]) => client === 'beta')![1]).not.toContain(23);
    expect(overridden.find(([client]) => client === 'alpha')).toEqual(shipped.find(([client]) => client === 'alpha'));
  });

  it('names the override file in errors, from the run and from check', async () => {
    const broken = shippedTopPorts.replace('w.sources::INTEGER AS sources', 'w.source_count::INTEGER AS sources');
    const { file, sql } = deployment({ 'top_ports.sql': broken });

    await expect(briefPorts(file)).rejects.toThrow(`${path.join(sql, 'top_ports.sql')}: Binder Error:`);

    const results = await checkDeployment(file);
    const failed = results.filter((result) => result.problem);
    expect(failed.map((result) => result.subject)).toEqual(['queries, run on a sample archive']);
    expect(failed[0].problem).toMatch(new RegExp(`^${path.join(sql, 'top_ports.sql')}: Binder Error`));
    expect(results.map((result) => result.subject)).toEqual(expect.arrayContaining([`query ${path.join(sql, 'top_ports.sql')}`, 'query queries/top_countries.sql']));
  });
});
