import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Brief } from '../../src/brief.js';
import { validateConfig } from '../../src/config/load.js';
import { EXIT } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import { runWeekly } from '../../src/weekly.js';
import { pdfBodyText, pdfText } from '../helpers/pdf-text.js';
import { printerForFile } from '../helpers/printer.js';
import { csvSourceConfig } from '../helpers/csv-source.js';
import { listFiles } from '../helpers/files.js';
import { tempDir } from '../helpers/temp.js';
import { freshStateDir, twoClientConfig, writeTwoClientArchive } from '../helpers/two-clients.js';

const NOW = new Date('2026-12-04T12:00:00Z');
const dir = tempDir();
const archive = writeTwoClientArchive(dir);
const printer = printerForFile();

function configFor(output: string, change: (raw: ReturnType<typeof twoClientConfig>) => void = () => {}) {
  const raw = twoClientConfig(archive, output, freshStateDir(), 25);
  change(raw);
  return validateConfig(raw, path.join(dir, 'portbrief.yaml'));
}

describe('rendering faults', () => {
  it('prints a country with a single port', async () => {
    const folder = tempDir();
    const rows = Array.from({ length: 5 }, (_, i) => `2025-02-18 10:00:0${i},8.8.8.8,443,tcp`);
    writeFileSync(path.join(folder, 'one-port.csv'), ['ts,src,dport,proto', ...rows].join('\n') + '\n');
    const config = csvSourceConfig(folder, 'one-port.csv');

    const result = await runWeekly({ config, week: '2025-W08', now: NOW, log: silentLogger(), printer: printer(), dryRun: true });

    expect(result.exitCode).toBe(EXIT.ok);
    const brief = JSON.parse(readFileSync(path.join(folder, 'reports', '2025-W08', 'brief.json'), 'utf8')) as Brief;
    expect(brief.countries.map((section) => [section.country, section.sessions, section.topPorts.length])).toEqual([['US', 5, 1]]);
    expect(brief.countries[0].topPorts[0]).toMatchObject({ rank: 1, port: 443, service: 'https', sessions: 5, sources: 1, share: 1 });

    const text = pdfText(path.join(folder, 'reports', '2025-W08', 'brief.pdf'));
    // The bar chart labels each bar with its rank and port, and the table has one row.
    expect(text.match(/#\d+ \d+ \(/g)).toEqual(['#1 443 (']);
    expect(text).toMatch(/^\s+#1 443 \(https\)\s+5$/m);
    expect(text).toMatch(/^\s+1\s+443\s+https\s+5\s+1\s+100\.0%\s+—$/m);
    // The heatmap's colour legend runs from 0% to 100%, so its one cell is the darkest shade.
    const overview = text.slice(text.indexOf('Overview'), text.indexOf('Sessions per week'));
    expect(overview.match(/\d+%/g)).toEqual(['100%', '50%', '0%']);
  });

  it('prints text for charts without rows', async () => {
    const folder = tempDir();
    // pings: four ICMP sessions from the United States, so it is a shown country without a port.
    // dark: sessions from private, documentation and site-local addresses only, so no country at all.
    const rows = [
      ...[0, 1, 2, 3].map((second) => `2025-02-18 10:00:0${second},8.8.8.8,,icmp,pings`),
      '2025-02-18 11:00:00,10.0.0.1,22,tcp,dark',
      '2025-02-18 11:00:01,192.0.2.1,23,tcp,dark',
      '2025-02-18 11:00:02,fec0::1,80,tcp,dark',
    ];
    writeFileSync(path.join(folder, 'sessions.csv'), ['ts,src,dport,proto,sensor', ...rows].join('\n') + '\n');
    const config = validateConfig(
      {
        sources: [{ name: 'sensors', format: 'csv', path: 'sessions.csv', fields: { time: 'ts', srcIp: 'src', dstPort: 'dport', proto: 'proto', sensor: 'sensor' } }],
        clients: [
          { id: 'pings', name: 'Pings', sensors: ['pings'] },
          { id: 'dark', name: 'Dark', sensors: ['dark'] },
        ],
        output: path.join(folder, 'reports'),
        state: freshStateDir(),
      },
      path.join(folder, 'portbrief.yaml'),
    );

    const result = await runWeekly({ config, week: '2025-W08', now: NOW, log: silentLogger(), printer: printer(), dryRun: true });

    expect(result.exitCode).toBe(EXIT.ok);
    const briefOf = (client: string) => JSON.parse(readFileSync(path.join(folder, 'reports', client, '2025-W08', 'brief.json'), 'utf8')) as Brief;
    // The PDF wraps sentences where it likes, so text is compared with all white space removed.
    const compactText = (client: string) => pdfText(path.join(folder, 'reports', client, '2025-W08', 'brief.pdf')).replace(/\s+/g, '');
    const compact = (text: string) => text.replace(/\s+/g, '');

    const pings = briefOf('pings');
    expect(pings.countries.map((section) => [section.country, section.sessions, section.topPorts.length])).toEqual([['US', 4, 0]]);
    expect(pings.weeklySessions).toEqual([{ week: '2025-W08', country: 'United States', sessions: 4 }]);
    const pingsText = compactText('pings');
    expect(pingsText).toContain(compact('No port heatmap: no session from the countries in this brief had a destination port this week.'));
    expect(pingsText).toContain(
      compact('No port chart: none of the United States’ sessions this week had a destination port (ICMP, GRE and other protocols have none), so there are no ports to rank.'),
    );
    // No empty chart is drawn: no bar chart legend, no share trend and no ports table.
    expect(pingsText).not.toContain('newentrant');
    expect(pingsText).not.toContain(compact('Share of United States’ sessions on its top ports'));
    expect(pingsText).not.toContain(compact('Rank Port Service (IANA)'));
    // The single week of sessions still gets its weekly chart.
    expect(pingsText).toContain(compact('Sessions per week from each country in this brief'));

    const dark = briefOf('dark');
    expect(dark.countries).toEqual([]);
    expect(dark.weekTotals.byStatus.map((row) => [row.status, row.sessions])).toEqual([
      ['documentation', 1],
      ['private', 1],
      ['unknown', 1],
    ]);
    const darkText = compactText('dark');
    expect(darkText).toContain(compact('No located sessions'));
    expect(darkText).not.toContain('Overview');
  });

  it('prints a hostile client name as text', async () => {
    const output = tempDir();
    // Markup, a right-to-left override, a zero-width joiner, an emoji and 10,000 characters.
    const name = `<b style="color:red">Alpha</b> \u202Eevil\u202C \u200D🛡️ ${'x'.repeat(10_000)}`;
    const config = configFor(output, (raw) => {
      raw.clients[0].name = name;
    });

    const result = await runWeekly({ config, week: '2025-W08', now: NOW, log: silentLogger(), printer: printer(), dryRun: true });

    expect(result.exitCode).toBe(EXIT.ok);
    const html = readFileSync(path.join(output, 'alpha', '2025-W08', 'brief.html'), 'utf8');
    expect(html).not.toContain('<b style');
    expect(html).toContain('&lt;b style&#x3D;&quot;color:red&quot;&gt;Alpha&lt;/b&gt; \u202Eevil\u202C \u200D🛡️ ');
    const brief = JSON.parse(readFileSync(path.join(output, 'alpha', '2025-W08', 'brief.json'), 'utf8')) as { client: { name: string } };
    expect(brief.client.name).toBe(name);
    expect(readFileSync(path.join(output, 'alpha', '2025-W08', 'brief.pdf')).subarray(0, 5).toString()).toBe('%PDF-');
    // The 10,000 characters wrap instead of running off the page, so the cover shows them all.
    const body = pdfBodyText(path.join(output, 'alpha', '2025-W08', 'brief.pdf')).replace(/\s+/g, '');
    expect(body).toContain('x'.repeat(10_000));
  });

  it.each([
    ['date', '{{date week}}', `helper 'date' failed on "2025-W08": Invalid time value`],
    ['number', '{{number client.name}}', `helper 'number' failed on "Alpha Corp": expected a finite number`],
  ])('fails the brief whose %s helper throws', async (_helper, call, failure) => {
    const override = tempDir();
    mkdirSync(path.join(override, 'partials'));
    const issued = `  <p class="issued">Issued ${call}</p>`;
    const cover = ['<header class="cover">', '  <p class="tlp">{{tlp}}</p>', '  <h1>{{title}}</h1>', '  <p class="client">Prepared for {{client.name}}</p>', issued, '</header>', ''];
    writeFileSync(path.join(override, 'partials', 'cover.hbs'), cover.join('\n'));
    const output = tempDir();
    const config = configFor(output, (raw) => {
      Object.assign(raw.clients[0], { templates: override });
    });

    const result = await runWeekly({ config, week: '2025-W08', now: NOW, log: silentLogger(), printer: printer(), dryRun: true });

    expect(result.exitCode).toBe(EXIT.failure);
    // Line 5 of the override, at the column where the helper call starts (1-based).
    const position = `5:${issued.indexOf('{{') + 1}`;
    expect(result.failed).toEqual([
      {
        client: 'alpha',
        error: `${path.join(override, 'partials', 'cover.hbs')}:${position}: template failed while rendering: ${failure}. Fix the template there or the value it passes.`,
      },
    ]);
    expect(listFiles(path.join(output, 'alpha'))).toEqual([]);
    expect(listFiles(path.join(output, 'beta'))).toEqual(['2025-W08/brief.html', '2025-W08/brief.json', '2025-W08/brief.pdf']);
    expect(pdfText(path.join(output, 'beta', '2025-W08', 'brief.pdf'))).toContain('Prepared for Beta Ltd');
    expect(listFiles(path.join(output, 'outbox'))).toEqual(['2025-W08/beta.eml']);
  });

  it('fails each client when the output folder cannot exist', async () => {
    const file = path.join(tempDir(), 'file.txt');
    writeFileSync(file, 'not a folder');
    const output = path.join(file, 'reports');

    const result = await runWeekly({ config: configFor(output), week: '2025-W08', now: NOW, log: silentLogger(), printer: printer(), dryRun: true });

    expect(result.exitCode).toBe(EXIT.failure);
    expect(result.clients).toEqual([]);
    expect(result.failed.map((entry) => entry.client)).toEqual(['alpha', 'beta']);
    expect(result.failed[0].error).toBe(
      `Cannot write ${path.join(output, 'alpha', '2025-W08', 'brief.json')}: ENOTDIR: not a directory, mkdir '${path.join(output, 'alpha', '2025-W08')}'. Check that the output folder is writable and has free space.`,
    );
    expect(readdirSync(path.dirname(file))).toEqual(['file.txt']);
  });

  it('writes HTML and JSON when Chromium is missing', async () => {
    const output = tempDir();
    const missing = path.join(dir, 'no-chromium');
    const saved = process.env.PORTBRIEF_CHROMIUM;
    process.env.PORTBRIEF_CHROMIUM = missing;
    let result;
    try {
      result = await runWeekly({ config: configFor(output), week: '2025-W08', now: NOW, log: silentLogger(), dryRun: true });
    } finally {
      if (saved === undefined) delete process.env.PORTBRIEF_CHROMIUM;
      else process.env.PORTBRIEF_CHROMIUM = saved;
    }

    expect(result.exitCode).toBe(EXIT.failure);
    const notFound = `Chromium not found at PORTBRIEF_CHROMIUM=${missing}. Fix the path or unset the variable`;
    const written = (client: string) =>
      `. brief.json and brief.html were written to ${path.join(output, client, '2025-W08')}; fix the browser or raise print.timeoutMs, then rerun to print and mail the brief.`;
    expect(result.failed).toEqual([
      { client: 'alpha', error: `brief.pdf not written: ${notFound}${written('alpha')}` },
      { client: 'beta', error: `brief.pdf not written: Chromium failed 2 times in a row, so this run prints no more PDFs. The last failure: ${notFound}${written('beta')}` },
    ]);
    expect(readdirSync(path.join(output, 'alpha', '2025-W08')).sort()).toEqual(['brief.html', 'brief.json']);
    expect(readdirSync(path.join(output, 'beta', '2025-W08')).sort()).toEqual(['brief.html', 'brief.json']);
  });
});
