import type { Brief } from '../brief.js';
import type { Finding } from '../analyse/findings.js';
import { type PreparedChart, heatmapValues, renderChartSvg, shareTrendValues, topPortsValues } from './charts.js';
import type { BriefTemplates } from './templates.js';

/** Lower-confidence findings printed in the brief; the rest stay in brief.json. */
const MINOR_FINDINGS_SHOWN = 10;

/** Renders the brief's HTML: one top-ports chart per country, then the templates over the model. */
export async function renderBriefHtml(brief: Brief, templates: BriefTemplates): Promise<string> {
  const [topPorts, shareTrend, heatmap, weekly] = await templates.charts();

  const charts: Record<string, string> = {};
  const trends: Record<string, string> = {};
  for (const section of brief.countries) {
    charts[section.country] = await chartOrEmpty(topPorts, topPortsValues(section), `top-ports.vl.json for ${section.country}`);
    trends[section.country] = await chartOrEmpty(shareTrend, shareTrendValues(section), `share-trend.vl.json for ${section.country}`);
  }
  const overview = {
    heatmap: await chartOrEmpty(heatmap, heatmapValues(brief), 'country-port-heatmap.vl.json'),
    weekly: await chartOrEmpty(weekly, brief.weeklySessions, 'weekly-sessions.vl.json'),
  };
  return templates.render({
    ...brief,
    charts,
    trends,
    overview,
    styles: templates.styles,
    ...findingLists(brief),
    scannerSessions: brief.scanners.reduce((sum, scanner) => sum + scanner.sessions, 0),
  });
}

/** Splits a brief's findings as the templates list them: the key findings, and the lower-confidence ones shown and left out. */
export function findingLists(brief: Brief): { headlineFindings: Finding[]; otherFindings: Finding[]; otherFindingsNotShown: number } {
  const minor = brief.findings.filter((finding) => !finding.headline);
  return {
    headlineFindings: brief.findings.filter((finding) => finding.headline),
    otherFindings: minor.slice(0, MINOR_FINDINGS_SHOWN),
    otherFindingsNotShown: Math.max(0, minor.length - MINOR_FINDINGS_SHOWN),
  };
}

/**
 * Renders a chart, or returns '' when it has no rows, because Vega draws an
 * empty chart as bare axes and legends. The templates print a sentence in
 * place of an empty chart.
 */
async function chartOrEmpty(chart: PreparedChart, values: object[], origin: string): Promise<string> {
  return values.length === 0 ? '' : renderChartSvg(chart, values, origin);
}
