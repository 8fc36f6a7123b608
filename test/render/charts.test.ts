import { describe, expect, it } from 'vitest';
import type { CountrySection } from '../../src/brief.js';
import { TEMPLATES_DIR } from '../../src/paths.js';
import { renderBriefHtml } from '../../src/render/brief-html.js';
import { shareTrendValues } from '../../src/render/charts.js';
import { sampleBrief } from '../../src/render/sample-brief.js';
import { loadTemplates } from '../../src/render/templates.js';

/** Copies the sample's first country with the given weekly shares (null: no data that week) on its first two ports. */
function withTrend(shares: Array<[string, number | null, number | null]>): CountrySection {
  const section = structuredClone(sampleBrief().countries[0]);
  section.topPorts = section.topPorts.slice(0, 2).map((row, index) => ({
    ...row,
    insight: { ...row.insight, trend: shares.map(([week, ...values]) => ({ week, share: values[index] })) },
  }));
  return section;
}

describe('share trend chart values', () => {
  it('starts at the first week with data and keeps later gaps', () => {
    const section = withTrend([
      ['2025-W04', null, null],
      ['2025-W05', null, null],
      ['2025-W06', null, 0.2],
      ['2025-W07', null, null],
      ['2025-W08', 0.5, 0.1],
    ]);
    const ports = section.topPorts.map((row) => String(row.port));
    expect(shareTrendValues(section)).toEqual([
      { week: '2025-W06', port: ports[0], share: null },
      { week: '2025-W07', port: ports[0], share: null },
      { week: '2025-W08', port: ports[0], share: 0.5 },
      { week: '2025-W06', port: ports[1], share: 0.2 },
      { week: '2025-W07', port: ports[1], share: null },
      { week: '2025-W08', port: ports[1], share: 0.1 },
    ]);
  });

  it('gives no values, and so no chart, when no week has data', () => {
    expect(shareTrendValues(withTrend([['2025-W08', null, null]]))).toEqual([]);
  });
});

describe('share trend chart axis', () => {
  it('labels shares below one percent apart', async () => {
    const brief = sampleBrief();
    brief.countries[0] = withTrend([
      ['2025-W07', 0.001, 0.003],
      ['2025-W08', 0.002, 0.0025],
    ]);

    const html = await renderBriefHtml(brief, await loadTemplates(TEMPLATES_DIR));

    const chart = html.split('<svg').find((part) => part.includes('Share of sessions'))!;
    const ticks = [...chart.matchAll(/<text[^>]*>([^<]*%)<\/text>/g)].map((match) => match[1]);
    expect(ticks).toEqual(['0%', '0.1%', '0.2%', '0.3%']);
  });
});
