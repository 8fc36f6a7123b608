import type { Brief } from '../brief.js';
import { loadChartSpec, renderChartSvg, topPortsValues } from './charts.js';
import type { BriefTemplates } from './templates.js';

/** Renders the brief's HTML: one top-ports chart per country, then the templates over the model. */
export async function renderBriefHtml(brief: Brief, templates: BriefTemplates): Promise<string> {
  const spec = await loadChartSpec(templates.chartsDir, 'top-ports.vl.json');

  const charts: Record<string, string> = {};
  for (const section of brief.countries) {
    charts[section.country] = await renderChartSvg(spec, topPortsValues(section), `top-ports.vl.json for ${section.country}`);
  }
  return templates.render({ ...brief, charts, styles: templates.styles });
}
