import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Brief } from '../../src/brief.js';
import { loadArchive } from '../../src/archive/load.js';
import { validateConfig } from '../../src/config/load.js';
import { Database } from '../../src/db.js';
import { EXIT } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import { PROJECT_ROOT } from '../../src/paths.js';
import { PdfPrinter } from '../../src/render/pdf.js';
import { runWeekly } from '../../src/weekly.js';
import { startCli } from '../helpers/cli-process.js';
import { startSmtpServer } from '../helpers/smtp.js';
import { freshStateDir, twoClientConfig, writeTwoClientArchive } from '../helpers/two-clients.js';
import { tempDir } from '../helpers/temp.js';

const NOW = new Date('2026-12-04T12:00:00Z');
const dir = tempDir();

/** Writes one CSV source of `times` from 8.8.8.8 to port 22 and returns its config. */
function archiveOf(name: string, times: string[], timezone = 'UTC') {
  writeFileSync(path.join(dir, name), ['ts,src,dport,proto', ...times.map((time) => `${time},8.8.8.8,22,tcp`)].join('\n') + '\n');
  return validateConfig(
    {
      sources: [{ name: 'sensors', format: 'csv', path: name, timezone, fields: { time: 'ts', srcIp: 'src', dstPort: 'dport', proto: 'proto' } }],
      output: tempDir(),
      state: freshStateDir(),
    },
    path.join(dir, 'portbrief.yaml'),
  );
}

async function weeksOf(config: ReturnType<typeof archiveOf>) {
  const db = await Database.open();
  try {
    return (await loadArchive(db, config, NOW, silentLogger())).weeks;
  } finally {
    db.close();
  }
}

describe('weeks at a year boundary', () => {
  // 2020 has 53 ISO weeks: 2020-W53 runs from Monday 2020-12-28 to Sunday 2021-01-03.
  const times = ['2020-12-28 00:00:00', '2020-12-31 23:59:59', '2021-01-01 12:00:00', '2021-01-03 23:59:59', '2021-01-04 00:00:00', '2021-01-10 23:59:59'];
  const config = archiveOf('new-year.csv', times);
  let printer: PdfPrinter;

  beforeAll(async () => {
    printer = await PdfPrinter.launch();
  });
  afterAll(async () => {
    await printer?.close();
  });

  it('counts sessions per ISO week', async () => {
    expect(await weeksOf(config)).toEqual([
      { week: '2020-W53', sessions: 4 },
      { week: '2021-W01', sessions: 2 },
    ]);
  });

  it('compares 2021-W01 with 2020-W53', async () => {
    const result = await runWeekly({ config, week: '2021-W01', now: NOW, log: silentLogger(), printer, dryRun: true });
    expect(result.exitCode).toBe(EXIT.ok);
    const brief = JSON.parse(readFileSync(path.join(config.output, '2021-W01', 'brief.json'), 'utf8')) as Brief;
    expect(brief.week).toBe('2021-W01');
    expect(brief.previousWeek).toBe('2020-W53');
    expect(brief.weekStart).toBe('2021-01-04');
    expect(brief.weekEnd).toBe('2021-01-10');
    expect(brief.comparisonAvailable).toBe(true);
    expect(brief.weekTotals.sessions).toBe(2);
  });
});

describe('weeks across a daylight-saving change', () => {
  it('counts Europe/Berlin times per UTC week', async () => {
    // Berlin moved from UTC+1 to UTC+2 on Sunday 2025-03-30, the last day of 2025-W13.
    const times = [
      '2025-03-24 00:30:00', // 2025-03-23 23:30 UTC: 2025-W12
      '2025-03-24 01:30:00', // 2025-03-24 00:30 UTC: 2025-W13
      '2025-03-30 03:30:00', // 2025-03-30 01:30 UTC, after the change: 2025-W13
      '2025-03-31 01:59:59', // 2025-03-30 23:59:59 UTC: 2025-W13
      '2025-03-31 02:00:00', // 2025-03-31 00:00 UTC: 2025-W14
    ];
    expect(await weeksOf(archiveOf('berlin.csv', times, 'Europe/Berlin'))).toEqual([
      { week: '2025-W12', sessions: 1 },
      { week: '2025-W13', sessions: 3 },
      { week: '2025-W14', sessions: 1 },
    ]);
  });
});

describe('a state database held by another process', () => {
  it('stops the run before it reads or sends', async () => {
    const server = await startSmtpServer();
    const output = path.join(dir, 'held-reports');
    const state = freshStateDir();
    const config = path.join(dir, 'held.yaml');
    writeFileSync(config, stringify(twoClientConfig(writeTwoClientArchive(dir), output, state, server.port)));
    const database = path.join(state, 'portbrief.duckdb');
    // A second program (here a Node process with DuckDB) keeps the file open for writing, which DuckDB allows one process at a time.
    const script = `import { DuckDBInstance } from '@duckdb/node-api'; const db = await DuckDBInstance.create(process.argv[1]); await db.connect(); console.log('open'); setInterval(() => {}, 1000);`;
    const holder = spawn(process.execPath, ['--input-type=module', '-e', script, database], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const [opened] = (await once(holder.stdout!, 'data')) as [Buffer];
      expect(opened.toString()).toBe('open\n');

      const run = startCli(['weekly', '--config', config, '--week', '2025-W08']);

      expect(await run.exited).toBe(EXIT.locked);
      expect(run.stderr()).toMatch(
        new RegExp(`^portbrief: The state database ${database} is locked by \\S+ \\(PID ${holder.pid}\\)\\. Stop that process or wait for it to finish, then rerun; this run did nothing\\.$`, 'm'),
      );
      expect(server.received).toEqual([]);
      expect(existsSync(output)).toBe(false);
    } finally {
      holder.kill('SIGTERM');
      await once(holder, 'exit');
    }

    try {
      const rerun = startCli(['weekly', '--config', config, '--week', '2025-W08']);
      expect(await rerun.exited).toBe(EXIT.ok);
      expect(server.received).toHaveLength(2);
    } finally {
      await server.close();
    }
  });
});
