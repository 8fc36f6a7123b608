import { appendFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { Ledger } from '../../src/deliver/ledger.js';
import { EXIT } from '../../src/errors.js';
import { startCli } from '../helpers/cli-process.js';
import { listFiles } from '../helpers/files.js';
import { startSmtpServer } from '../helpers/smtp.js';
import { tempDir } from '../helpers/temp.js';
import { freshStateDir, twoClientConfig, writeTwoClientArchive } from '../helpers/two-clients.js';

/** Sessions added to the two-client archive in 2025-W07, so that reading, enriching and analysing take long enough for a kill to land in them. */
const FILLER_ROWS = 200_000;

const BRIEFS = [
  'alpha/2025-W08/brief.html', 'alpha/2025-W08/brief.json', 'alpha/2025-W08/brief.pdf',
  'beta/2025-W08/brief.html', 'beta/2025-W08/brief.json', 'beta/2025-W08/brief.pdf',
];

/** Writes the two-client archive with the filler sessions and its config, mailing through 127.0.0.1:`port`. */
function writeLargeConfig(dir: string, port: number): { file: string; output: string; state: string } {
  const archive = writeTwoClientArchive(dir);
  const start = Date.parse('2025-02-10T00:00:00Z');
  const rows = Array.from({ length: FILLER_ROWS }, (_, i) => {
    const time = new Date(start + (i % 518_400) * 1000).toISOString().slice(0, 19).replace('T', ' ');
    return `${time},${1 + (i % 200)}.${i % 250}.${(i * 7) % 250}.${(i * 13) % 250},${(i * 31) % 1024},tcp,sensor-${i % 2 === 0 ? 'a' : 'b'}`;
  });
  appendFileSync(archive, `${rows.join('\n')}\n`);
  const output = path.join(dir, 'reports');
  const state = freshStateDir();
  const file = path.join(dir, 'portbrief.yaml');
  writeFileSync(file, stringify(twoClientConfig(archive, output, state, port)));
  return { file, output, state };
}

describe('a run killed at each stage', () => {
  it.each([
    ['archive', 'reading the archive'],
    ['enrich', 'building the GeoIP range table'],
    ['analyse', 'ranking ports and storing them'],
    ['deliver', 'sending the first message'],
  ])('reruns cleanly after a kill in %s (%s)', async (stage) => {
    const dir = tempDir();
    // In the deliver stage the server takes the first message's data and never replies, so the kill lands mid-send.
    const server = await startSmtpServer((attempt) => (stage === 'deliver' && attempt === 1 ? 'hold' : undefined));
    try {
      const { file, output, state } = writeLargeConfig(dir, server.port);
      // Without its cache the range table is built in the enrich stage, and its cache file written.
      if (stage === 'enrich') rmSync(path.join(state, 'geoip'), { recursive: true, force: true });
      const args = ['weekly', '--config', file, '--week', '2025-W08'];

      const first = startCli(args);
      if (stage === 'deliver') await server.waitForHeld(1);
      else await first.waitForLog((line) => line.msg === `${stage} started`);
      first.child.kill('SIGKILL');

      expect(await first.exited).toBe('SIGKILL');
      // The kill landed in the stage: the killed run never logged the stage's end.
      expect(first.logs.filter((line) => line.msg === `${stage} done`)).toEqual([]);
      expect(server.received).toEqual([]);

      const rerun = startCli(args);
      expect(await rerun.exited).toBe(EXIT.ok);
      expect(listFiles(output)).toEqual(BRIEFS);
      for (const pdf of BRIEFS.filter((name) => name.endsWith('.pdf'))) {
        expect(execFileSync('pdfinfo', [path.join(output, pdf)], { encoding: 'utf8' })).toMatch(/^Pages:\s+\d+$/m);
      }
      const recipients = () => server.received.map((mail) => mail.envelopeTo.sort().join(' ')).sort();
      expect(recipients()).toEqual(['ciso@alpha.example soc@alpha.example', 'security@beta.example']);

      if (stage === 'deliver') {
        // A third run sends nothing more, so each client got exactly one message.
        const third = startCli(args);
        expect(await third.exited).toBe(EXIT.ok);
        expect(recipients()).toEqual(['ciso@alpha.example soc@alpha.example', 'security@beta.example']);
        // The message the killed run had started is sent again under the Message-ID the ledger kept for it.
        const ledger = await Ledger.open(state);
        const history = await ledger.history();
        ledger.close();
        const started = history.find((entry) => entry.client === 'alpha' && entry.status === 'sending');
        const alpha = server.received.find((mail) => mail.envelopeTo.includes('soc@alpha.example'))!;
        expect(alpha.parsed.messageId).toBe(started?.messageId);
        expect(rerun.logs.filter((line) => line.msg === 'an earlier run was stopped while sending this brief; sending it again with the same Message-ID')).toHaveLength(1);
      }
    } finally {
      await server.close();
    }
  });
});
