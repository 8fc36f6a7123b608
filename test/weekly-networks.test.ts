import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Brief } from '../src/brief.js';
import { validateConfig } from '../src/config/load.js';
import { PdfPrinter } from '../src/render/pdf.js';
import { runWeekly, type WeeklyResult } from '../src/weekly.js';
import { writeAsnArchive } from './helpers/asn-archive.js';
import { capturingLogger } from './helpers/log-capture.js';
import { pdfText } from './helpers/pdf-text.js';
import { GEOLITE2_2019, MAXMIND_TEST_DATA, SKIP_REASON, hasSharedData } from './helpers/shared-data.js';
import { runStateDir, tempDir } from './helpers/temp.js';

describe.skipIf(!hasSharedData)(`weekly brief with an ASN database (${SKIP_REASON})`, () => {
  const output = tempDir();
  const { log, lines } = capturingLogger();
  let printer: PdfPrinter;
  let result: WeeklyResult;
  let brief: Brief;

  beforeAll(async () => {
    printer = await PdfPrinter.launch();
    const config = validateConfig(
      {
        sources: [{ name: 'edge', format: 'csv', path: writeAsnArchive(output), fields: { time: 'time', srcIp: 'src', dstPort: 'dport', proto: 'proto', sensor: 'sensor' } }],
        geoip: { country: GEOLITE2_2019, asn: path.join(MAXMIND_TEST_DATA, 'GeoLite2-ASN-Test.mmdb') },
        top: { countries: 5, ports: 10, networks: 2 },
        output,
        state: runStateDir(),
      },
      path.join(output, 'portbrief.yaml'),
    );
    result = await runWeekly({ config, week: '2020-W02', now: new Date('2026-12-04T12:00:00Z'), log, printer });
    brief = result.clients[0].brief;
  });
  afterAll(async () => {
    await printer?.close();
  });

  it('ranks countries with mapped sources merged', () => {
    expect(result.exitCode).toBe(0);
    expect(brief.countries.map((c) => [c.country, c.sessions, c.sources])).toEqual([
      ['US', 14, 6],
      ['AU', 5, 2],
      ['CH', 3, 2],
    ]);
  });

  it('lists the top networks of each port', () => {
    const us = brief.countries[0];
    expect(us.topPorts.map((port) => [port.port, port.sessions])).toEqual([
      [22, 12],
      [80, 2],
    ]);
    expect(us.topPorts[0].networks).toEqual([
      { asn: 7018, organisation: 'AT&T Services', sessions: 5, sources: 2, share: 5 / 12 },
      { asn: 174, organisation: 'Cogent Communications', sessions: 3, sources: 2, share: 3 / 12 },
    ]);
    expect(us.topPorts[1].networks).toEqual([{ asn: 71, organisation: 'Hewlett-Packard Company', sessions: 2, sources: 1, share: 1 }]);
    expect(brief.countries[1].topPorts[0].networks).toEqual([{ asn: 1221, organisation: 'Telstra Pty Ltd', sessions: 5, sources: 2, share: 1 }]);
    expect(brief.countries[2].topPorts[0].networks).toEqual([{ asn: 6730, organisation: 'Sunrise Communications AG', sessions: 3, sources: 2, share: 1 }]);
    expect(brief.networksShown).toBe(2);
  });

  it('counts every special and unknown source', () => {
    expect(brief.weekTotals.sessions).toBe(29);
    expect(brief.weekTotals.byStatus.map((row) => [row.status, row.sessions])).toEqual([
      ['country', 22],
      ['private', 2],
      ['documentation', 1],
      ['link-local', 1],
      ['multicast', 1],
      ['shared', 1],
      ['unknown', 1],
    ]);
    expect(brief.weekTotals.byStatus[1]).toEqual({
      status: 'private',
      label: 'Private network (10/8, 172.16/12, 192.168/16, fc00::/7)',
      sessions: 2,
      share: 2 / 29,
    });
  });

  it('describes both databases in brief.json', () => {
    const json = JSON.parse(readFileSync(path.join(result.clients[0].outputDir, 'brief.json'), 'utf8')) as Brief;
    expect(json.databases.map((database) => [database.role, database.type, database.buildDate, database.licence])).toEqual([
      ['country', 'GeoLite2-Country', '2019-12-24T17:40:14.000Z', 'CC BY-SA 4.0'],
      ['asn', 'GeoLite2-ASN', '2026-02-04T22:49:29.000Z', 'GeoLite2 End User License Agreement'],
    ]);
    expect(json.countries).toEqual(brief.countries);
  });

  it('warns only about the ASN database', () => {
    const warning =
      'The ASN database GeoLite2-ASN-Test.mmdb was built on 2026-02-04, 2,214 days after the end of week 2020-W02. ' +
      'Addresses may have moved to other networks since that week, so some attributions may be wrong for it. ' +
      'For an old week, point geoip.asn at a database built near that week if you have one.';
    expect(brief.databaseWarnings).toEqual([warning]);
    expect(lines.filter((line) => line.level === 40).map((line) => line.msg)).toEqual([warning]);
  });

  it('prints networks, shares and databases in the PDF', () => {
    const text = pdfText(path.join(result.clients[0].outputDir, 'brief.pdf')).replace(/\s+/g, ' ');
    expect(text).toContain('Networks: AS7018 AT&T Services 41.7% (5 sessions, 2 sources); AS174 Cogent Communications 25.0% (3 sessions, 2 sources)');
    expect(text).toContain('Networks: AS1221 Telstra Pty Ltd 100.0% (5 sessions, 2 sources)');
    expect(text).toContain('Networks: each port’s top 2 source autonomous systems by sessions, with their share of the port’s sessions from the United States.');
    expect(text).toContain('Shared address space for carrier-grade NAT (100.64/10) 1 3.4%');
    expect(text).toContain('Not covered by the GeoIP database (unknown) 1 3.4%');
    expect(text).toContain('Networks (ASN): GeoLite2-ASN, from the file GeoLite2-ASN-Test.mmdb (database type GeoLite2-ASN), built 2026-02-04, licence GeoLite2 End User License Agreement.');
    expect(text).toContain('The GeoIP database does not fit this week well: see the warnings under Data quality.');
  });
});
