import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { CountrySection } from '../brief.js';
import { PortbriefError, messageOf } from '../errors.js';
import { portLabel } from './helpers.js';

/** Reads a Vega-Lite spec from the chart folder, naming the file when it is not valid JSON. */
export async function loadChartSpec(chartsDir: string, name: string): Promise<TopLevelSpec> {
  const file = path.join(chartsDir, name);
  try {
    return JSON.parse(await readFile(file, 'utf8')) as TopLevelSpec;
  } catch (error) {
    throw new PortbriefError(`Chart spec ${file}: ${messageOf(error)}. Fix the JSON or restore the shipped file.`, { cause: error });
  }
}

/**
 * Renders a Vega-Lite spec filled with `values` to an SVG string, in Node
 * with no browser. The view's loader is replaced by one that refuses every
 * URL, so a spec can only use the data it is given.
 */
export async function renderChartSvg(spec: TopLevelSpec, values: object[], origin: string): Promise<string> {
  try {
    const filled = { ...spec, data: { values } } as TopLevelSpec;
    const vegaSpec = compile(filled).spec;
    const loader = vega.loader();
    loader.load = async (uri: string) => {
      throw new Error(`charts may not load '${uri}'`);
    };
    const view = new vega.View(vega.parse(vegaSpec), { renderer: 'none', loader });
    try {
      return await view.toSVG();
    } finally {
      view.finalize();
    }
  } catch (error) {
    throw new PortbriefError(`Chart ${origin}: ${messageOf(error)}`, { cause: error });
  }
}

/** Builds the rows of a country's top-ports bar chart. */
export function topPortsValues(section: CountrySection): object[] {
  return section.topPorts.map((row) => ({
    label: `#${row.rank} ${portLabel(row.port, row.service)}`,
    sessions: row.sessions,
    status: row.newEntrant ? 'new entrant' : 'returning',
  }));
}
