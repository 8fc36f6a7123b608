import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Brief } from '../src/brief.js';
import { validateConfig } from '../src/config/load.js';
import { silentLogger } from '../src/log.js';
import { PdfPrinter } from '../src/render/pdf.js';
import { runWeekly, type WeeklyResult } from '../src/weekly.js';
import { capturingLogger } from './helpers/log-capture.js';
import { pdfText } from './helpers/pdf-text.js';
import { GEOLITE2_2019, MARX_CSV, SKIP_REASON, hasSharedData } from './helpers/shared-data.js';
import { tempDir } from './helpers/temp.js';
import { freshStateDir } from './helpers/two-clients.js';

describe.skipIf(!hasSharedData)(`weekly brief of the marx honeypot, 2013-W21 (${SKIP_REASON})`, () => {
  const output = tempDir();
  let printer: PdfPrinter;
  let result: WeeklyResult;
  let brief: Brief;
  const { log, lines } = capturingLogger();

  beforeAll(async () => {
    printer = await PdfPrinter.launch();
    const config = validateConfig(
      {
        sources: [{ name: 'marx', format: 'csv', path: MARX_CSV, fields: { time: 'datetime', srcIp: 'src', dstPort: 'dpt', proto: 'proto', sensor: 'host' } }],
        geoip: { country: GEOLITE2_2019 },
        output,
        state: freshStateDir(),
      },
      path.join(output, 'portbrief.yaml'),
    );
    result = await runWeekly({ config, week: '2013-W21', now: new Date('2026-12-04T12:00:00Z'), log, printer });
    brief = result.clients[0].brief;
  });
  afterAll(async () => {
    await printer?.close();
  });

  it("ranks China's top 10 ports by sessions, then sources, then port", () => {
    const china = brief.countries.find((section) => section.country === 'CN')!;
    expect(china.topPorts.map((row) => row.port)).toEqual([1433, 3389, 3306, 53, 22, 6666, 5631, 8080, 445, 135]);
    expect(china.topPorts[0]).toMatchObject({ rank: 1, port: 1433, service: 'ms-sql-s', sessions: 2976, sources: 685, newEntrant: false });
  });

  it('breaks the 445/135 session tie by distinct sources and flags 445 as new', () => {
    const china = brief.countries.find((section) => section.country === 'CN')!;
    const [p445, p135] = [china.topPorts[8], china.topPorts[9]];
    expect(p445).toMatchObject({ port: 445, sessions: 86, sources: 43, newEntrant: true, previousRank: 23 });
    expect(p135).toMatchObject({ port: 135, sessions: 86, sources: 33, newEntrant: false, previousRank: 10 });
  });

  it('reports 445 as a key finding that points at its row', () => {
    const finding = brief.findings.find((f) => f.country === 'CN' && f.ports[0] === 445)!;
    expect(finding).toMatchObject({ kind: 'new-entrant', headline: true, ref: 'countries[0].topPorts[8]' });
    expect(finding.numbers).toMatchObject({ rank: 9, previousRank: 23, sessions: 86, sources: 43 });
    expect(brief.countries[0].topPorts[8].port).toBe(445);
  });

  it('orders countries by sessions and names them in English', () => {
    expect(brief.countries.map((c) => [c.country, c.name, c.sessions])).toEqual([
      ['CN', 'China', 6430],
      ['US', 'United States', 3287],
      ['JP', 'Japan', 604],
      ['BR', 'Brazil', 348],
      ['TW', 'Taiwan', 338],
    ]);
  });

  it('writes brief.json matching the returned model', () => {
    const json = JSON.parse(readFileSync(path.join(result.clients[0].outputDir, 'brief.json'), 'utf8')) as Brief;
    expect(json.week).toBe('2013-W21');
    expect(json.databases).toEqual([
      {
        role: 'country',
        name: 'GeoLite2-Country',
        type: 'GeoLite2-Country',
        description: 'GeoLite2 Country database',
        file: 'GeoLite2-Country_build-2019-12-24.mmdb',
        buildDate: '2019-12-24T17:40:14.000Z',
        licence: 'CC BY-SA 4.0',
        attribution: 'This product includes GeoLite2 data created by MaxMind, available from https://www.maxmind.com.',
        embedded: false,
      },
    ]);
    expect(json.totals).toEqual({ rowsRead: 451_581, accepted: 451_581, rejected: 0 });
    expect(json.weekTotals.byStatus).toEqual([
      { status: 'country', label: 'Located in a country', sessions: 15_056, share: 15_056 / 15_132 },
      { status: 'private', label: 'Private network (10/8, 172.16/12, 192.168/16, fc00::/7)', sessions: 64, share: 64 / 15_132 },
      { status: 'unknown', label: 'Not covered by the GeoIP database (unknown)', sessions: 12, share: 12 / 15_132 },
    ]);
    expect(json.networksShown).toBe(0);
    expect(json.countries[0].topPorts[0].networks).toEqual([]);
    expect(json.countries).toEqual(brief.countries);
    expect(result.exitCode).toBe(0);
  });

  it('warns that the database is years newer than the week', () => {
    const warning =
      'The country database GeoLite2-Country_build-2019-12-24.mmdb was built on 2019-12-24, 2,402 days after the end of week 2013-W21. ' +
      'Addresses may have moved to other countries since that week, so some attributions may be wrong for it. ' +
      'For an old week, point geoip.country at a database built near that week if you have one.';
    expect(brief.databaseWarnings).toEqual([warning]);
    expect(lines.filter((line) => line.level === 40).map((line) => line.msg)).toEqual([warning]);
    expect(pdfText(path.join(result.clients[0].outputDir, 'brief.pdf')).replace(/\s+/g, ' ')).toContain(warning);
  });

  it('prints a PDF whose text carries the week, countries and ports', () => {
    expect(result.clients[0].outputDir).toBe(path.join(output, '2013-W21'));
    const text = pdfText(path.join(result.clients[0].outputDir, 'brief.pdf'));
    expect(text).toContain('Week 2013-W21 · 2013-05-20 to 2013-05-26 (UTC)');
    expect(text).toMatch(/F\d+ Port 445 \(microsoft-ds\) entered China’s top 10 at #9, up from #23 \(43 distinct sources\)\./);
    expect(text).toMatch(/1\s+1433\s+ms-sql-s\*\s+2,976\s+685\s+46\.3%/);
    expect(text).toMatch(/9\s+445\s+microsoft-ds\*\s+86\s+43\s+1\.3%\s+NEW\s+▲14 \(from #23\)/);
    expect(text.replace(/\s+/g, ' ')).toContain(
      'Countries: GeoLite2-Country, from the file GeoLite2-Country_build-2019-12-24.mmdb (database type GeoLite2-Country), built 2019-12-24, licence CC BY-SA 4.0.',
    );
    expect(text).toMatch(/Private network \(10\/8, 172.16\/12, 192.168\/16, fc00::\/7\)\s+64\s+0.4%/);
    expect(text).toContain('else its registered country');
  });
});

describe.skipIf(!hasSharedData)(`RDP cluster in the marx honeypot, 2013-W20 (${SKIP_REASON})`, () => {
  const output = tempDir();
  let brief: Brief;
  let printer: PdfPrinter;

  beforeAll(async () => {
    printer = await PdfPrinter.launch();
    const config = validateConfig(
      {
        sources: [{ name: 'marx', format: 'csv', path: MARX_CSV, fields: { time: 'datetime', srcIp: 'src', dstPort: 'dpt', proto: 'proto', sensor: 'host' } }],
        geoip: { country: GEOLITE2_2019 },
        top: { countries: 10 },
        output,
        state: freshStateDir(),
      },
      path.join(output, 'portbrief.yaml'),
    );
    const result = await runWeekly({ config, week: '2013-W20', now: new Date('2026-12-04T12:00:00Z'), log: silentLogger(), printer });
    brief = result.clients[0].brief;
  });
  afterAll(async () => {
    await printer?.close();
  });

  it("holds 3389, 3390 and 3391 in Russia's top 10", () => {
    const russia = brief.countries.find((c) => c.country === 'RU')!;
    const rdp = russia.topPorts.filter((row) => [3389, 3390, 3391].includes(row.port));
    expect(rdp.map((row) => [row.port, row.rank, row.sources])).toEqual([
      [3389, 2, 6],
      [3390, 4, 1],
      [3391, 8, 1],
    ]);
  });

  it('reports them as one RDP cluster resting partly on single sources', () => {
    const finding = brief.findings.find((f) => f.kind === 'cluster' && f.country === 'RU')!;
    expect(finding).toMatchObject({ ports: [3389, 3390, 3391], label: 'RDP', headline: true });
    expect(finding.fewSourcePorts).toEqual([
      { port: 3390, sources: 1 },
      { port: 3391, sources: 1 },
    ]);
    const text = pdfText(path.join(output, '2013-W20', 'brief.pdf')).replace(/\s+/g, ' ');
    expect(text).toContain(`${finding.id} RDP and its neighbouring ports from Russia: 3389, 3390 and 3391 (58 sessions together). 3390 and 3391 each come from a single source.`);
  });
});
