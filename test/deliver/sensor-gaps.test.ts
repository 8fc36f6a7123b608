import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Brief } from '../../src/brief.js';
import { validateConfig } from '../../src/config/load.js';
import { EXIT } from '../../src/errors.js';
import { runWeekly } from '../../src/weekly.js';
import { capturingLogger } from '../helpers/log-capture.js';
import { pdfText } from '../helpers/pdf-text.js';
import { printerForFile } from '../helpers/printer.js';
import { type TestSmtpServer, startSmtpServer } from '../helpers/smtp.js';
import { tempDir } from '../helpers/temp.js';
import { freshStateDir } from '../helpers/two-clients.js';

const NOW = new Date('2026-12-04T12:00:00Z');
const printer = printerForFile();

/** Returns CSV lines of one sensor's sessions at the given UTC times, each from 8.8.8.8 (US) to port 22. */
function sessions(sensor: string, times: string[]): string[] {
  return times.map((time) => `${time},8.8.8.8,22,tcp,${sensor}`);
}

/** Returns CSV lines of one session a day at noon for the week from the given Monday in February 2025. */
function everyDay(sensor: string, monday: number): string[] {
  return sessions(sensor, Array.from({ length: 7 }, (_, day) => `2025-02-${String(monday + day).padStart(2, '0')} 12:00:00`));
}

/**
 * Writes an archive over 2025-W07 and W08. Client acme's sensors north and
 * west run both weeks, south stops on the Tuesday of W08 and east runs only
 * in W07. Client solo's one sensor stops on the same Tuesday.
 */
function writeArchive(dir: string): string {
  const file = path.join(dir, 'sensors.csv');
  const lines = [
    'time,src,dport,proto,sensor',
    ...everyDay('north', 10),
    ...everyDay('north', 17),
    ...sessions('west', ['2025-02-10 00:30:00', '2025-02-16 23:30:00', '2025-02-17 00:30:00', '2025-02-23 23:30:00']),
    ...everyDay('south', 10),
    ...sessions('south', ['2025-02-17 08:00:00', '2025-02-18 09:15:00']),
    ...sessions('east', ['2025-02-10 06:00:00', '2025-02-16 21:40:12']),
    ...everyDay('lone', 10),
    ...sessions('lone', ['2025-02-17 08:00:00', '2025-02-18 09:15:00']),
  ];
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

async function runWeek(server: TestSmtpServer) {
  const output = tempDir();
  const archive = writeArchive(output);
  const config = validateConfig(
    {
      sources: [{ name: 'sensors', format: 'csv', path: archive, fields: { time: 'time', srcIp: 'src', dstPort: 'dport', proto: 'proto', sensor: 'sensor' } }],
      clients: [
        { id: 'acme', name: 'Acme', sensors: ['north', 'south', 'east', 'west'], recipients: { to: ['soc@acme.example'] } },
        { id: 'solo', name: 'Solo', sensors: ['lone'], recipients: { to: ['soc@solo.example'] } },
      ],
      mail: { host: '127.0.0.1', port: server.port, security: 'none', from: 'briefs@portbrief.example' },
      output,
      state: freshStateDir(),
    },
    path.join(output, 'portbrief.yaml'),
  );
  const { log, lines } = capturingLogger();
  const result = await runWeekly({ config, week: '2025-W08', now: NOW, log, printer: printer() });
  const brief = (client: string) => JSON.parse(readFileSync(path.join(output, client, '2025-W08', 'brief.json'), 'utf8')) as Brief;
  return { result, output, lines, brief };
}

describe('sensors that stop within the week', () => {
  it('are named in brief, mail and log', async () => {
    const server = await startSmtpServer();
    try {
      const { result, output, lines, brief } = await runWeek(server);

      expect(result.exitCode).toBe(EXIT.ok);
      expect(brief('acme').coverage.week?.partial).toBe(false);
      // W07 has 18 sessions: 7 each from north and south, 2 each from east and west.
      expect(brief('acme').coverage.sensorGaps).toEqual([
        { sensor: 'east', kind: 'silent', first: null, last: '2025-02-16T21:40:12Z', previousShare: 2 / 18 },
        { sensor: 'south', kind: 'stopped', first: '2025-02-17T08:00:00Z', last: '2025-02-18T09:15:00Z', previousShare: 7 / 18 },
      ]);

      const east = 'Sensor east recorded no sessions this week; its last session is from 2025-02-16 21:40 UTC. In week 2025-W07 it recorded 11% of your sessions, so this week’s counts and rank changes may partly reflect the gap.';
      const south = 'Sensor south stopped recording at 2025-02-18 09:15 UTC. In week 2025-W07 it recorded 39% of your sessions, so this week’s counts and rank changes may partly reflect the gap.';
      const pdf = pdfText(path.join(output, 'acme', '2025-W08', 'brief.pdf')).replace(/\s+/g, ' ');
      expect(pdf).toContain(`${east} ${south}`);
      const mail = server.received.find((message) => message.envelopeTo.includes('soc@acme.example'))!;
      expect(mail.parsed.text).toContain(`${east}\n${south}\n`);
      expect(mail.parsed.html).toContain(`<p>${south}</p>`);
      const warnings = lines.filter((line) => line.level === 40 && line.sensor !== undefined).map((line) => line.msg);
      expect(warnings).toEqual([
        'client acme: sensor east recorded no sessions in 2025-W08; check that it runs and that its logs reach the archive',
        'client acme: sensor south stopped recording at 2025-02-18T09:15:00Z in 2025-W08; check that it runs and that its logs reach the archive',
      ]);
    } finally {
      await server.close();
    }
  });

  it('leave a one-sensor client to the week note', async () => {
    const server = await startSmtpServer();
    try {
      const { brief, output } = await runWeek(server);

      expect(brief('solo').coverage.week?.partial).toBe(true);
      expect(brief('solo').coverage.sensorGaps).toEqual([]);
      const pdf = pdfText(path.join(output, 'solo', '2025-W08', 'brief.pdf')).replace(/\s+/g, ' ');
      expect(pdf).toContain('This week’s sessions run only from 2025-02-17 08:00 UTC to 2025-02-18 09:15 UTC.');
      expect(pdf).not.toContain('Sensor lone');
    } finally {
      await server.close();
    }
  });
});
