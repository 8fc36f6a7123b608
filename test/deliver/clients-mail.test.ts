import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Brief } from '../../src/brief.js';
import { validateConfig } from '../../src/config/load.js';
import { Ledger } from '../../src/deliver/ledger.js';
import { EXIT } from '../../src/errors.js';
import { type Logger, silentLogger } from '../../src/log.js';
import { capturingLogger } from '../helpers/log-capture.js';
import { runWeekly } from '../../src/weekly.js';
import { pdfText } from '../helpers/pdf-text.js';
import { type TestSmtpServer, startSmtpServer } from '../helpers/smtp.js';
import { printerForFile } from '../helpers/printer.js';
import { tempDir } from '../helpers/temp.js';
import { MARKER_A, MARKER_B, freshStateDir, twoClientConfig, writeTwoClientArchive } from '../helpers/two-clients.js';

const NOW = new Date('2026-12-04T12:00:00Z');
const dir = tempDir();
const archive = writeTwoClientArchive(dir);
const printer = printerForFile();

/** Runs the weekly job for 2025-W08 against a fresh output and state folder unless given. */
async function run(
  server: TestSmtpServer,
  options: { output?: string; state?: string; clients?: string[]; resend?: boolean; dryRun?: boolean; mail?: Record<string, unknown>; alphaTemplates?: string; log?: Logger; week?: string } = {},
) {
  const output = options.output ?? tempDir();
  const state = options.state ?? freshStateDir();
  const raw = twoClientConfig(archive, output, state, server.port, options.mail);
  if (options.alphaTemplates) Object.assign(raw.clients[0], { templates: options.alphaTemplates });
  const config = validateConfig(raw, path.join(dir, 'portbrief.yaml'));
  const result = await runWeekly({ config, week: options.week ?? '2025-W08', now: NOW, log: options.log ?? silentLogger(), printer: printer(), resend: options.resend, dryRun: options.dryRun, clients: options.clients });
  return { result, output, state };
}

function readBrief(output: string, client: string): Brief {
  return JSON.parse(readFileSync(path.join(output, client, '2025-W08', 'brief.json'), 'utf8')) as Brief;
}

describe('one brief per client, mailed', () => {
  let server: TestSmtpServer;
  let output: string;
  let exitCode: number;

  beforeAll(async () => {
    server = await startSmtpServer();
    const first = await run(server);
    output = first.output;
    exitCode = first.result.exitCode;
  });
  afterAll(() => server.close());

  it('sends one message per client and exits 0', () => {
    expect(exitCode).toBe(EXIT.ok);
    expect(server.received.map((mail) => mail.envelopeTo.sort())).toEqual([
      ['ciso@alpha.example', 'soc@alpha.example'],
      ['security@beta.example'],
    ]);
  });

  it('addresses and words each message for its client', () => {
    const [alpha, beta] = server.received.map((mail) => mail.parsed);
    expect(alpha.subject).toBe('Alpha Corp: weekly port targeting brief, 2025-W08');
    expect(beta.subject).toBe('Beta Ltd: weekly port targeting brief, 2025-W08');
    expect(alpha.from?.value).toEqual([{ name: 'portbrief', address: 'briefs@portbrief.example' }]);
    expect(alpha.text).toContain('Alpha Corp: Weekly port targeting brief, week 2025-W08 (2025-02-17 to 2025-02-23 UTC)');
    expect(alpha.text).toContain('Your sensors recorded 12 sessions this week; 12 of them came from addresses located in 2 countries.');
    expect(alpha.html).toContain('<strong>TLP:AMBER</strong>');
    // Every finding here rests on one or two sources, under the 3 that key findings need.
    expect(alpha.text).toContain('No change this week met the bar for a key finding.\n\nThe brief also lists lower-confidence observations, which rest on fewer distinct sources.\n');
    expect(beta.text).toContain('TLP:CLEAR');
  });

  it('repeats caveats in the mail', () => {
    const [alpha, beta] = server.received.map((mail) => mail.parsed);
    expect(alpha.text).toContain('This week’s sessions run only from 2025-02-18 10:00 UTC to 2025-02-19 10:00 UTC, so the counts may cover only part of it.');
    expect(alpha.html).toContain('<p>This week’s sessions run only from 2025-02-18 10:00 UTC to 2025-02-19 10:00 UTC, so the counts may cover only part of it.</p>');
    expect(beta.text).toContain('No located sessions came this week from Russia, which this brief always covers.');
    expect(alpha.text).not.toContain('No located sessions came this week');
  });

  it('attaches the PDF byte for byte', () => {
    for (const [index, client] of ['alpha', 'beta'].entries()) {
      const attachment = server.received[index].parsed.attachments[0];
      expect(attachment.filename).toBe(`portbrief-${client}-2025-W08.pdf`);
      expect(attachment.contentType).toBe('application/pdf');
      expect(Buffer.compare(attachment.content, readFileSync(path.join(output, client, '2025-W08', 'brief.pdf')))).toBe(0);
    }
  });

  it("keeps each client's marker port in its own brief and mail", () => {
    const files = (client: string) => ['brief.json', 'brief.html'].map((name) => readFileSync(path.join(output, client, '2025-W08', name), 'utf8'));
    const alphaText = [...files('alpha'), pdfText(path.join(output, 'alpha', '2025-W08', 'brief.pdf')), server.received[0].parsed.text ?? ''].join('\n');
    const betaText = [...files('beta'), pdfText(path.join(output, 'beta', '2025-W08', 'brief.pdf')), server.received[1].parsed.text ?? ''].join('\n');

    expect(alphaText).toContain(String(MARKER_A));
    expect(alphaText).not.toContain(String(MARKER_B));
    expect(betaText).toContain(String(MARKER_B));
    expect(betaText).not.toContain(String(MARKER_A));
  });

  it('says when the report week and the week before are only partly covered', () => {
    // Alpha's sensor has sessions only on Tuesday 2025-02-11 in W07 and on 18 to 19 February in W08.
    expect(readBrief(output, 'alpha').coverage).toEqual({
      archiveStart: '2025-02-11T10:00:10Z',
      archiveEnd: '2025-02-19T10:00:13Z',
      week: { first: '2025-02-18T10:00:10Z', last: '2025-02-19T10:00:13Z', partial: true },
      previous: { first: '2025-02-11T10:00:10Z', last: '2025-02-11T10:00:11Z', partial: true },
      // The one sensor's gap is the week's own, which the notes above report.
      sensorGaps: [],
    });
    // pdftotext may break a date at its hyphen where the line wraps.
    const text = pdfText(path.join(output, 'alpha', '2025-W08', 'brief.pdf'))
      .replace(/\s+/g, ' ')
      .replace(/(\d)- (\d)/g, '$1-$2');
    expect(text).toContain('This week’s sessions run only from 2025-02-18 10:00 UTC to 2025-02-19 10:00 UTC.');
    expect(text).toContain('Week 2025-W07’s sessions run only from 2025-02-11 10:00 UTC to 2025-02-11 10:00 UTC, so rank changes may compare this week with part of that one.');
    expect(text).toContain('the sessions of your sensors in the archive start on 2025-02-11.');
    // W07 has US sessions, but only on one day, so it does not count toward the baseline.
    expect(readBrief(output, 'alpha').countries.find((country) => country.country === 'US')?.baselineWeeks).toEqual([]);
    expect(text).toContain('the United States has data in 0 fully covered earlier weeks of the 4 it needs.');
  });

  it('says when a country the client always follows sent nothing this week', () => {
    // Beta always follows RU, whose only address in the archive was seen by alpha's sensor.
    expect(readBrief(output, 'beta').quietCountries).toEqual([{ country: 'RU', name: 'Russia' }]);
    expect(pdfText(path.join(output, 'beta', '2025-W08', 'brief.pdf'))).toContain('No located sessions came this week from Russia, which this brief always covers.');
    expect(readBrief(output, 'alpha').quietCountries).toEqual([]);
  });

  it("counts only the client's own rows in data quality", () => {
    const alpha = readBrief(output, 'alpha');
    const beta = readBrief(output, 'beta');
    expect(alpha.totals).toEqual({ rowsRead: 15, accepted: 14, rejected: 1 });
    expect(alpha.rejectReasons).toEqual([{ reason: 'invalid source IP', rows: 1 }]);
    expect(beta.totals).toEqual({ rowsRead: 12, accepted: 12, rejected: 0 });
    expect(beta.countries.map((c) => c.country)).toEqual(['US', 'JP']);
    expect(alpha.countries.map((c) => c.country)).toEqual(['US', 'RU']);
    expect(alpha.client).toEqual({ id: 'alpha', name: 'Alpha Corp' });
  });

  it('prints each client on its own paper size', () => {
    const size = (client: string) => readFileSync(path.join(output, client, '2025-W08', 'brief.pdf'), 'latin1').match(/\/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]/)!.slice(1, 3).map(Number);
    expect(size('alpha')).toEqual([612, 792]);
    // A4 is 595.28 x 841.89 points; Chromium rounds the page box to whole points.
    expect(size('beta').map(Math.round)).toEqual([596, 842]);
  });
});

describe('silent sensors', () => {
  it('yield a brief saying so and a warning', async () => {
    const server = await startSmtpServer();
    try {
      // sensor-c has one session in W07 and none in the report week.
      const folder = tempDir();
      const silent = path.join(folder, 'sensors.csv');
      writeFileSync(silent, `${readFileSync(archive, 'utf8')}2025-02-12 09:00:00,8.8.8.8,22,tcp,sensor-c\n`);
      const raw = twoClientConfig(silent, folder, freshStateDir(), server.port);
      raw.clients.push({ id: 'gamma', name: 'Gamma GmbH', sensors: ['sensor-c'], recipients: { to: ['soc@gamma.example'] } } as (typeof raw.clients)[number]);
      const { log, lines } = capturingLogger();

      const result = await runWeekly({ config: validateConfig(raw, path.join(folder, 'portbrief.yaml')), week: '2025-W08', now: NOW, log, printer: printer() });

      expect(result.exitCode).toBe(EXIT.ok);
      expect(readBrief(folder, 'gamma').weekTotals.sessions).toBe(0);
      expect(readBrief(folder, 'gamma').coverage.archiveEnd).toBe('2025-02-12T09:00:00Z');
      const pdf = pdfText(path.join(folder, 'gamma', '2025-W08', 'brief.pdf')).replace(/\s+/g, ' ');
      expect(pdf).toContain('In week 2025-W08 the sensors recorded no sessions. Their latest session in the archive is from 2025-02-12 09:00 UTC:');
      // The brief mentions no rankings, comparisons or locations, because the week has none.
      expect(pdf).toContain('No findings: the sensors recorded no located session this week.');
      for (const absent of ['may compare this week with part of that one', 'met the bar for a key finding', 'could be placed in a country', 'Source addresses in week', 'does not fit this week well']) {
        expect(pdf).not.toContain(absent);
      }
      const gammaMail = server.received.find((mail) => mail.envelopeTo.includes('soc@gamma.example'))!;
      expect(gammaMail.parsed.text).toContain('Your sensors recorded no sessions this week; their latest session is from 2025-02-12 09:00 UTC, so this brief has no rankings.');
      const warnings = lines.filter((line) => line.level === 40).map((line) => [line.client, line.msg]);
      expect(warnings).toContainEqual(['gamma', 'client gamma: its sensors recorded no sessions in 2025-W08; check that they run and that their logs reach the archive']);
      expect(warnings.filter(([client]) => client === 'alpha' || client === 'beta')).toEqual([]);
    } finally {
      await server.close();
    }
  });
});

describe('delivery ledger and reruns', () => {
  it('sends nothing on a rerun and again with --resend', async () => {
    const server = await startSmtpServer();
    try {
      const first = await run(server);
      expect(server.received).toHaveLength(2);

      const { log, lines } = capturingLogger();
      const second = await run(server, { output: first.output, state: first.state, log });
      expect(second.result.exitCode).toBe(EXIT.ok);
      expect(second.result.clients.map((c) => c.delivery?.status)).toEqual(['already-sent', 'already-sent']);
      expect(server.received).toHaveLength(2);
      // The unchanged briefs are not printed again, so each published PDF stays the one its client received.
      expect(lines.filter((line) => line.msg === 'brief unchanged since it was mailed; its published files are kept').map((line) => line.client)).toEqual(['alpha', 'beta']);
      expect(lines.some((line) => line.stage === 'print')).toBe(false);
      expect(lines.find((line) => line.msg === 'weekly run finished')?.briefs).toEqual({ written: 0, kept: 2, failed: 0 });
      for (const [index, client] of ['alpha', 'beta'].entries()) {
        const published = readFileSync(path.join(first.output, client, '2025-W08', 'brief.pdf'));
        expect(Buffer.compare(published, server.received[index].parsed.attachments[0].content)).toBe(0);
      }

      const third = await run(server, { output: first.output, state: first.state, resend: true });
      expect(third.result.clients.map((c) => c.delivery?.status)).toEqual(['sent', 'sent']);
      expect(server.received).toHaveLength(4);

      const ledger = await Ledger.open(first.state);
      const history = await ledger.history();
      ledger.close();
      expect(history.map((entry) => `${entry.client} ${entry.status}`)).toEqual([
        'alpha sending', 'alpha sent', 'beta sending', 'beta sent',
        'alpha sending', 'alpha sent', 'beta sending', 'beta sent',
      ]);
      expect(history[1].messageId).toBe(server.received[0].parsed.messageId);
    } finally {
      await server.close();
    }
  });

  it('resends only the given client', async () => {
    const server = await startSmtpServer();
    try {
      const first = await run(server);
      const alphaPdf = path.join(first.output, 'alpha', '2025-W08', 'brief.pdf');
      const alphaBefore = statSync(alphaPdf).mtimeMs;

      const again = await run(server, { output: first.output, state: first.state, resend: true, clients: ['beta'] });
      expect(again.result.exitCode).toBe(EXIT.ok);
      expect(again.result.clients.map((c) => `${c.client} ${c.delivery?.status}`)).toEqual(['beta sent']);
      expect(server.received.map((message) => message.envelopeTo)).toEqual([
        ['soc@alpha.example', 'ciso@alpha.example'],
        ['security@beta.example'],
        ['security@beta.example'],
      ]);
      expect(statSync(alphaPdf).mtimeMs).toBe(alphaBefore);

      const ledger = await Ledger.open(first.state);
      const history = await ledger.history();
      ledger.close();
      expect(history.map((entry) => `${entry.client} ${entry.status}`)).toEqual(['alpha sending', 'alpha sent', 'beta sending', 'beta sent', 'beta sending', 'beta sent']);
    } finally {
      await server.close();
    }
  });

  it('leaves other clients for later', async () => {
    const server = await startSmtpServer();
    try {
      const first = await run(server, { clients: ['alpha', 'alpha'] });
      expect(first.result.clients.map((c) => `${c.client} ${c.delivery?.status}`)).toEqual(['alpha sent']);
      expect(readdirSync(first.output).sort()).toEqual(['alpha']);
      expect(server.received).toHaveLength(1);
      expect(readBrief(first.output, 'alpha').countries.map((section) => section.country)).toEqual(['US', 'RU']);

      const rest = await run(server, { output: first.output, state: first.state });
      expect(rest.result.clients.map((c) => `${c.client} ${c.delivery?.status}`)).toEqual(['alpha already-sent', 'beta sent']);
      expect(server.received.map((message) => message.envelopeTo[0])).toEqual(['soc@alpha.example', 'security@beta.example']);
    } finally {
      await server.close();
    }
  });

  it('rejects an unknown client id', async () => {
    const output = tempDir();
    const config = validateConfig(twoClientConfig(archive, output, freshStateDir(), 2525), path.join(dir, 'portbrief.yaml'));
    await expect(runWeekly({ config, week: '2025-W08', now: NOW, log: silentLogger(), dryRun: true, clients: ['beta', 'gamma', 'Alpha'] })).rejects.toMatchObject({
      message: `--client: ${path.join(dir, 'portbrief.yaml')} has no client 'gamma', 'Alpha'. Its clients are alpha, beta: use one of those ids.`,
      exitCode: EXIT.usage,
    });
    expect(readdirSync(output)).toEqual([]);
  });

  it('retries a refused message and records the attempts', async () => {
    // The first attempt gets a temporary 451, as from a greylisting server.
    const server = await startSmtpServer((attempt) => (attempt === 1 ? { code: 451, text: 'try again later' } : undefined));
    try {
      const { result, state } = await run(server);
      expect(result.exitCode).toBe(EXIT.ok);
      expect(server.rejected).toBe(1);
      expect(server.received).toHaveLength(2);
      const ledger = await Ledger.open(state);
      const sent = (await ledger.history()).filter((entry) => entry.status === 'sent');
      ledger.close();
      expect(sent.map((entry) => [entry.client, entry.attempts])).toEqual([['alpha', 2], ['beta', 1]]);
    } finally {
      await server.close();
    }
  });

  it('sends the other clients when one fails for good, and exits 3', async () => {
    const server = await startSmtpServer((_, to) => (to.includes('soc@alpha.example') ? { code: 550, text: 'mailbox unavailable' } : undefined));
    try {
      const { log, lines } = capturingLogger();
      const { result, state } = await run(server, { log });
      expect(result.exitCode).toBe(EXIT.partialDelivery);
      expect(result.clients.map((c) => c.delivery?.status)).toEqual(['failed', 'sent']);
      // The run's last line counts briefs and mails, at warn level, so a log alone shows the partial delivery.
      expect(lines.at(-1)).toMatchObject({ level: 40, msg: 'weekly run finished', exitCode: 3, briefs: { written: 2, failed: 0 }, mail: { failed: 1, sent: 1 } });
      expect(result.clients[0].delivery?.error).toContain('mailbox unavailable');
      // 550 is permanent, so it is not retried.
      expect(server.rejected).toBe(1);
      expect(server.received.map((mail) => mail.envelopeTo)).toEqual([['security@beta.example']]);

      const ledger = await Ledger.open(state);
      const failed = (await ledger.history()).filter((entry) => entry.status === 'failed');
      ledger.close();
      expect(failed.map((entry) => entry.client)).toEqual(['alpha']);
    } finally {
      await server.close();
    }
  });

  it("names an earlier week's briefs that were never mailed", async () => {
    const rejecting = await startSmtpServer(() => ({ code: 554, text: 'transaction failed' }));
    const server = await startSmtpServer();
    try {
      const { state } = await run(rejecting, { week: '2025-W07' });
      const { log, lines } = capturingLogger();
      const later = await run(server, { state, log });

      expect(later.result.exitCode).toBe(EXIT.ok);
      const warning = lines.find((line) => String(line.msg).startsWith('earlier weeks have briefs that were never mailed'));
      expect(warning?.msg).toBe('earlier weeks have briefs that were never mailed: 2025-W07 (alpha), 2025-W07 (beta). Rerun each with --week once the cause is fixed.');
      expect(warning?.level).toBe(40);
    } finally {
      await rejecting.close();
      await server.close();
    }
  });

  it('writes .eml files in a dry run and sends nothing', async () => {
    const server = await startSmtpServer();
    try {
      const { result, output } = await run(server, { dryRun: true });
      expect(result.exitCode).toBe(EXIT.ok);
      expect(server.received).toHaveLength(0);
      expect(readdirSync(path.join(output, 'outbox', '2025-W08')).sort()).toEqual(['alpha.eml', 'beta.eml']);
      const eml = readFileSync(path.join(output, 'outbox', '2025-W08', 'alpha.eml'), 'utf8');
      expect(eml).toContain('Subject: Alpha Corp: weekly port targeting brief, 2025-W08');
      expect(eml).toContain('filename=portbrief-alpha-2025-W08.pdf');
    } finally {
      await server.close();
    }
  });

  it("words the mail from the client's own template folder, and only that client's", async () => {
    const server = await startSmtpServer();
    const override = tempDir();
    mkdirSync(path.join(override, 'email'));
    writeFileSync(path.join(override, 'email', 'body.txt.hbs'), 'Dear {{client.name}} team, {{number weekTotals.sessions}} sessions this week.\n');
    try {
      await run(server, { alphaTemplates: override });
      const [alpha, beta] = server.received.map((mail) => mail.parsed);
      expect(alpha.text).toBe('Dear Alpha Corp team, 12 sessions this week.\n');
      // The HTML body has no override, so it still comes from the shipped folder.
      expect(alpha.html).toContain('<strong>TLP:AMBER</strong>');
      expect(beta.text).toContain('Beta Ltd: Weekly port targeting brief, week 2025-W08');
    } finally {
      await server.close();
    }
  });

  it('refuses a message over the size limit before sending', async () => {
    const server = await startSmtpServer();
    try {
      const { result } = await run(server, { mail: { maxMessageBytes: 2048 } });
      expect(result.exitCode).toBe(EXIT.partialDelivery);
      expect(result.clients.map((c) => c.delivery?.status)).toEqual(['failed', 'failed']);
      expect(result.clients[0].delivery?.error).toMatch(/^the message would be about \d+ bytes encoded, over mail\.maxMessageBytes \(2048\)/);
      expect(server.received).toHaveLength(0);
    } finally {
      await server.close();
    }
  });
});
