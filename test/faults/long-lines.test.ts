import { closeSync, existsSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Brief } from '../../src/brief.js';
import { EXIT } from '../../src/errors.js';
import { startCli } from '../helpers/cli-process.js';
import { tempDir } from '../helpers/temp.js';
import { freshStateDir } from '../helpers/two-clients.js';

/** GNU time, which reports a command's peak resident set size; scripts/setup.sh installs it. */
const GNU_TIME = '/usr/bin/time';

/** The peak resident set size a run may reach: DuckDB's 2 GB memory limit plus room for Node. */
const MAX_RSS_KIB = 2.5 * 1024 * 1024;

const LINE_MIB = 300;

/** Writes `before`, then one line of `start` padded with 'a' to 300 MiB and closed by `end`, then `after`. */
function writeWithLongLine(file: string, before: string[], start: string, end: string, after: string[]): void {
  const handle = openSync(file, 'w');
  try {
    writeSync(handle, `${before.join('\n')}\n${start}`);
    const mebibyte = Buffer.alloc(1024 * 1024, 'a');
    for (let i = 0; i < LINE_MIB; i++) writeSync(handle, mebibyte);
    writeSync(handle, `${end}\n${after.join('\n')}\n`);
  } finally {
    closeSync(handle);
  }
}

describe('a 300 MiB line in an archive', () => {
  it.skipIf(!existsSync(GNU_TIME))('rejects the line within bounded memory', async () => {
    const dir = tempDir();
    const csvRow = (second: number) => `2025-02-18 10:00:0${second},8.8.8.8,22,tcp`;
    writeWithLongLine(path.join(dir, 'sessions.csv'), ['ts,src,dport,proto', csvRow(0), csvRow(1)], '2025-02-18 10:00:02,8.8.8.8,22,', '', [csvRow(3)]);
    const jsonRow = (second: number) => JSON.stringify({ ts: `2025-02-18T10:00:0${second}Z`, src: '8.8.4.4', dport: 23, proto: 'tcp' });
    writeWithLongLine(path.join(dir, 'sessions.ndjson'), [jsonRow(0), jsonRow(1)], '{"ts":"2025-02-18T10:00:02Z","src":"8.8.4.4","dport":23,"pad":"', '"}', [jsonRow(3)]);
    const fields = { time: 'ts', srcIp: 'src', dstPort: 'dport', proto: 'proto' };
    const config = path.join(dir, 'portbrief.yaml');
    writeFileSync(
      config,
      JSON.stringify({
        sources: [
          { name: 'csv', format: 'csv', path: 'sessions.csv', fields },
          { name: 'ndjson', format: 'json', path: 'sessions.ndjson', fields },
        ],
        output: path.join(dir, 'reports'),
        state: freshStateDir(),
      }),
    );
    const peakFile = path.join(dir, 'peak-rss-kib');

    const run = startCli(['weekly', '--config', config, '--week', '2025-W08', '--dry-run'], {}, [GNU_TIME, '--format=%M', `--output=${peakFile}`]);

    expect(await run.exited).toBe(EXIT.ok);
    const brief = JSON.parse(readFileSync(path.join(dir, 'reports', '2025-W08', 'brief.json'), 'utf8')) as Brief;
    expect(brief.files.map((file) => [file.file, file.rowsRead, file.accepted, file.reasons])).toEqual([
      ['sessions.csv', 4, 3, { 'line too long': 1 }],
      ['sessions.ndjson', 4, 3, { 'line too long': 1 }],
    ]);
    const warnings = run.logs.filter((line) => line.msg === 'archive file has lines longer than the maximum; they are rejected as line too long');
    expect(warnings.map((line) => [path.basename(String(line.file)), line.longLines])).toEqual([
      ['sessions.csv', 1],
      ['sessions.ndjson', 1],
    ]);
    // GNU time reports the largest peak of the CLI and each process it waited for, Chromium included.
    const peakKib = Number(readFileSync(peakFile, 'utf8').trim().split('\n').at(-1));
    expect(peakKib).toBeGreaterThan(0);
    expect(peakKib).toBeLessThan(MAX_RSS_KIB);
  });
});
