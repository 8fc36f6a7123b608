import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/log.js';
import { runWeekly } from '../../src/weekly.js';
import { pdfText } from '../helpers/pdf-text.js';
import { printerForFile } from '../helpers/printer.js';
import { tempDir } from '../helpers/temp.js';
import { freshStateDir, writeTwoClientArchive } from '../helpers/two-clients.js';

const dir = tempDir();
const archive = writeTwoClientArchive(dir);
const printer = printerForFile();

async function run(analysis: Record<string, unknown>) {
  const output = tempDir();
  const config = validateConfig(
    {
      sources: [{ name: 'sensors', format: 'csv', path: archive, fields: { time: 'time', srcIp: 'src', dstPort: 'dport', proto: 'proto', sensor: 'sensor' } }],
      analysis,
      output,
      state: freshStateDir(),
    },
    path.join(dir, 'portbrief.yaml'),
  );
  const result = await runWeekly({ config, week: '2025-W08', now: new Date('2026-12-04T12:00:00Z'), log: silentLogger(), printer: printer() });
  return { brief: result.clients[0].brief, output };
}

describe('analysis options', () => {
  it('ranks by sessions by default', async () => {
    const { brief } = await run({});
    const us = brief.countries.find((c) => c.country === 'US')!;
    expect(us.topPorts.map((row) => [row.port, row.sessions, row.sources])).toEqual([
      [80, 6, 1],
      [22, 5, 1],
      [41111, 3, 1],
      [42222, 2, 1],
    ]);
  });

  it('ranks by distinct sources when asked', async () => {
    const { brief } = await run({ rankBy: 'sources' });
    const us = brief.countries.find((c) => c.country === 'US')!;
    // Every US port has one source, so sessions break the tie as before.
    expect(us.topPorts.map((row) => row.port)).toEqual([80, 22, 41111, 42222]);
    expect(brief.method.rankBy).toBe('sources');
  });

  it('counts known scanners apart and leaves them out of the rankings', async () => {
    const { brief, output } = await run({ scanners: [{ name: 'Example Research Scanner', networks: ['8.8.8.0/24'] }] });
    expect(brief.scanners).toEqual([{ name: 'Example Research Scanner', sessions: 11, sources: 1 }]);
    const us = brief.countries.find((c) => c.country === 'US')!;
    expect(us.topPorts.map((row) => row.port)).toEqual([41111, 42222]);
    const text = pdfText(path.join(output, '2025-W08', 'brief.pdf')).replace(/\s+/g, ' ');
    expect(text).toContain('Known scanner networks sent 11 sessions; they are listed under Method and sources and left out of the rankings.');
    expect(text).toContain('Example Research Scanner (11 sessions from 1 source)');
  });
});
