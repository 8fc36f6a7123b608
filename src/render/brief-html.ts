import type { Brief } from '../brief.js';
import { loadChartSpec, renderChartSvg, topPortsValues } from './charts.js';
import type { BriefTemplates } from './templates.js';

/** Lower-confidence findings printed in the brief; the rest stay in brief.json. */
const MINOR_FINDINGS_SHOWN = 10;

/** Renders the brief's HTML: one top-ports chart per country, then the templates over the model. */
export async function renderBriefHtml(brief: Brief, templates: BriefTemplates): Promise<string> {
  const spec = await loadChartSpec(templates.chartsDir, 'top-ports.vl.json');

  const charts: Record<string, string> = {};
  for (const section of brief.countries) {
    charts[section.country] = await renderChartSvg(spec, topPortsValues(section), `top-ports.vl.json for ${section.country}`);
  }
  const minor = brief.findings.filter((finding) => !finding.headline);
  return templates.render({
    ...brief,
    charts,
    styles: templates.styles,
    headlineFindings: brief.findings.filter((finding) => finding.headline),
    otherFindings: minor.slice(0, MINOR_FINDINGS_SHOWN),
    otherFindingsNotShown: Math.max(0, minor.length - MINOR_FINDINGS_SHOWN),
    scannerSessions: brief.scanners.reduce((sum, scanner) => sum + scanner.sessions, 0),
  });
}
