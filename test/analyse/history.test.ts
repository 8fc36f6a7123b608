import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/log.js';
import { runWeekly } from '../../src/weekly.js';
import { printerForFile } from '../helpers/printer.js';
import { tempDir } from '../helpers/temp.js';
import { freshStateDir, writeTwoClientArchive } from '../helpers/two-clients.js';

const dir = tempDir();
const archive = writeTwoClientArchive(dir);
const state = freshStateDir();
const printer = printerForFile();

/** Runs one week for the whole archive and returns port 22's rank last week in the US. */
async function previousRankOf22(week: string, rebuildHistory = false): Promise<number | null> {
  const config = validateConfig(
    {
      sources: [{ name: 'sensors', format: 'csv', path: archive, fields: { time: 'time', srcIp: 'src', dstPort: 'dport', proto: 'proto', sensor: 'sensor' } }],
      output: path.join(dir, 'reports'),
      state,
    },
    path.join(dir, 'portbrief.yaml'),
  );
  const result = await runWeekly({ config, week, now: new Date('2026-12-04T12:00:00Z'), log: silentLogger(), printer: printer(), rebuildHistory });
  const us = result.clients[0].brief.countries.find((c) => c.country === 'US');
  return us?.topPorts.find((row) => row.port === 22)?.previousRank ?? null;
}

describe('ranking history', () => {
  it('compares with the stored week, and recomputes it on request', async () => {
    // 2025-W07 as first reported: port 22 ranks first for the US (2 sessions against port 80's 1).
    await previousRankOf22('2025-W07');

    // Late data for 2025-W07 arrives: 5 more sessions on port 3389 push port 22 to second place.
    appendFileSync(archive, Array.from({ length: 5 }, (_, i) => `2025-02-13 09:00:1${i},8.8.4.4,3389,tcp,sensor-a`).join('\n') + '\n');

    expect(await previousRankOf22('2025-W08')).toBe(1);
    expect(await previousRankOf22('2025-W08', true)).toBe(2);
    // The rebuild stored the recomputed week, so later runs use it too.
    expect(await previousRankOf22('2025-W08')).toBe(2);
  });
});
