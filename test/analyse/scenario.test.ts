import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateArchive } from '../../bench/generator.js';
import { CHINA_1433_SHARES, IRAN_9530, SCENARIO_FIRST_WEEK, scenarioPlan } from '../../bench/scenario.js';
import type { Brief } from '../../src/brief.js';
import { validateConfig } from '../../src/config/load.js';
import { Database } from '../../src/db.js';
import { openCountryDatabase } from '../../src/enrich/geoip-database.js';
import { loadRangeTable } from '../../src/enrich/range-cache.js';
import { silentLogger } from '../../src/log.js';
import { PdfPrinter } from '../../src/render/pdf.js';
import { runWeekly } from '../../src/weekly.js';
import { pdfText } from '../helpers/pdf-text.js';
import { SHARED_STATE_DIR, tempDir } from '../helpers/temp.js';
import { freshStateDir } from '../helpers/two-clients.js';

const dir = tempDir();
const archive = path.join(dir, 'scenario.csv');
const state = freshStateDir();
let printer: PdfPrinter;
const briefs = new Map<string, Brief>();

async function brief(week: string): Promise<Brief> {
  if (!briefs.has(week)) {
    const config = validateConfig(
      {
        sources: [{ name: 'synthetic', format: 'csv', path: archive, fields: { time: 'ts', srcIp: 'src_ip', dstPort: 'dst_port', proto: 'proto', sensor: 'sensor' } }],
        output: path.join(dir, 'reports'),
        state,
      },
      path.join(dir, 'portbrief.yaml'),
    );
    const result = await runWeekly({ config, week, now: new Date('2026-12-04T12:00:00Z'), log: silentLogger(), printer });
    briefs.set(week, result.clients[0].brief);
  }
  return briefs.get(week)!;
}

beforeAll(async () => {
  const db = await Database.open();
  try {
    await loadRangeTable(db, await openCountryDatabase(undefined, 'scenario'), SHARED_STATE_DIR, silentLogger());
    await generateArchive(db, scenarioPlan(), { firstWeek: SCENARIO_FIRST_WEEK, seed: 7, output: archive, format: 'csv' });
  } finally {
    db.close();
  }
  printer = await PdfPrinter.launch();
});
afterAll(async () => {
  await printer?.close();
});

describe('eight-week scenario', () => {
  it('locates every planned session in its country', async () => {
    const week = await brief('2024-W46');
    expect(week.totals.rejected).toBe(0);
    expect(week.countries.map((c) => [c.country, c.sessions])).toEqual([
      ['CN', 1000],
      ['RU', 460],
      ['IR', 798],
      ['US', 465],
    ].sort((a, b) => Number(b[1]) - Number(a[1])));
  });

  it("finds 9530 jumping into Iran's top 10 in week 7", async () => {
    const week = await brief('2024-W46');
    const iran = week.countries.find((c) => c.country === 'IR')!;
    const index = iran.topPorts.findIndex((row) => row.port === 9530);
    expect(iran.topPorts[index]).toMatchObject({ rank: 7, sessions: IRAN_9530.sessions, sources: IRAN_9530.sources, newEntrant: true, previousRank: null });
    expect(iran.topPorts[index].insight).toMatchObject({ baselineEntrant: true, firstSeen: false, surgeScore: null });
    expect(iran.baselineEstablished).toBe(true);
    expect(iran.baselineWeeks).toEqual(['2024-W45', '2024-W44', '2024-W43', '2024-W42']);

    const finding = week.findings.find((f) => f.country === 'IR' && f.ports[0] === 9530)!;
    expect(finding).toMatchObject({ kind: 'baseline-entrant', headline: true, ref: `countries[${week.countries.indexOf(iran)}].topPorts[${index}]` });
    expect(finding.numbers).toMatchObject({ rank: 7, sessions: 45, sources: 12 });
  });

  it("prints the 9530 finding with the port's note", async () => {
    const week = await brief('2024-W46');
    const finding = week.findings.find((f) => f.country === 'IR' && f.ports[0] === 9530)!;
    const text = pdfText(path.join(dir, 'reports', '2024-W46', 'brief.pdf')).replace(/\s+/g, ' ');
    expect(text).toContain(`${finding.id} Port 9530 entered Iran’s top 10 at #7 after ranking outside the top 20 in each of the previous 4 weeks with data (12 distinct sources).`);
    expect(text).toContain('Port 9530: Unassigned by IANA; known as the backdoor port of Xiongmai DVR and NVR firmware');
  });

  it("traces China's 1433 share over eight weeks", async () => {
    const week = await brief('2024-W47');
    const row = week.countries.find((c) => c.country === 'CN')!.topPorts.find((r) => r.port === 1433)!;
    expect(row.insight.trend.map((point) => point.week)).toEqual(['2024-W40', '2024-W41', '2024-W42', '2024-W43', '2024-W44', '2024-W45', '2024-W46', '2024-W47']);
    expect(row.insight.trend.map((point) => point.share)).toEqual(CHINA_1433_SHARES);
    expect(row.share).toBe(0.39);
    expect(row.insight.shareChange).toBe(3);
  });

  it("reports Russia's RDP neighbours as one cluster", async () => {
    const week = await brief('2024-W47');
    const russia = week.countries.find((c) => c.country === 'RU')!;
    expect(russia.clusters).toEqual([
      {
        service: 'RDP',
        ports: [
          { port: 3388, rank: 6, sessions: 30, sources: 5 },
          { port: 3389, rank: 1, sessions: 200, sources: 40 },
          { port: 3390, rank: 7, sessions: 25, sources: 4 },
          { port: 3391, rank: 8, sessions: 20, sources: 3 },
        ],
      },
    ]);
    const finding = week.findings.find((f) => f.kind === 'cluster' && f.country === 'RU')!;
    expect(finding).toMatchObject({ ports: [3388, 3389, 3390, 3391], label: 'RDP', headline: true, fewSourcePorts: [] });
    const text = pdfText(path.join(dir, 'reports', '2024-W47', 'brief.pdf')).replace(/\s+/g, ' ');
    expect(text).toContain(`${finding.id} RDP and its neighbouring ports from Russia: 3388, 3389, 3390 and 3391 (275 sessions together).`);
  });

  it('says the baseline is not established in week 3', async () => {
    const week = await brief('2024-W42');
    expect(week.countries.every((c) => !c.baselineEstablished)).toBe(true);
    expect(week.findings.filter((f) => f.kind === 'baseline-entrant' || f.kind === 'surge')).toEqual([]);
    const text = pdfText(path.join(dir, 'reports', '2024-W42', 'brief.pdf')).replace(/\s+/g, ' ');
    expect(text).toContain('The baseline is not established yet: China has data in 2 fully covered earlier weeks of the 4 it needs.');
  });

  it('keeps UDP out of key findings', async () => {
    const week = await brief('2024-W46');
    const udp = week.findings.filter((f) => f.ports.includes(53));
    expect(udp.every((f) => !f.headline)).toBe(true);
  });
});
