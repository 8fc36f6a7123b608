import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { Brief, CountrySection } from '../brief.js';
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

/** A chart spec compiled once to a Vega runtime, ready to be filled with data many times. */
export interface PreparedChart {
  name: string;
  runtime: vega.Runtime;
}

/** The name under which portbrief passes a chart its rows. */
const DATA = 'table';

/**
 * Compiles a Vega-Lite spec to a Vega runtime once per run, with its data
 * left as the named source 'table', because compiling is most of a chart's
 * cost and a brief has two charts per country.
 */
export function prepareChart(spec: TopLevelSpec, name: string): PreparedChart {
  try {
    const named = { ...spec, data: { name: DATA } } as TopLevelSpec;
    return { name, runtime: vega.parse(compile(named).spec) };
  } catch (error) {
    throw new PortbriefError(`Chart ${name}: ${messageOf(error)}`, { cause: error });
  }
}

/**
 * Renders a prepared chart filled with `values` to an SVG string, in Node
 * with no browser. The view's loader is replaced by one that refuses every
 * URL, so a spec can only use the data it is given.
 */
export async function renderChartSvg(chart: PreparedChart, values: object[], origin: string): Promise<string> {
  try {
    const loader = vega.loader();
    loader.load = async (uri: string) => {
      throw new Error(`charts may not load '${uri}'`);
    };
    const view = new vega.View(chart.runtime, { renderer: 'none', loader });
    try {
      // Vega tags every row it ingests with a symbol, so it gets copies and the brief's own rows stay untouched.
      view.data(DATA, values.map((row) => ({ ...row })));
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

/** Ports per country shown in the share trend, so the lines stay readable. */
const TREND_PORTS = 5;

/** Builds the rows of a country's share-trend chart: its top ports' weekly shares. */
export function shareTrendValues(section: CountrySection): object[] {
  const rows = section.topPorts.slice(0, TREND_PORTS);
  // Weeks before the country's first week with data (before the archive
  // starts, often) would only widen the chart with empty space; later gaps stay.
  const first = rows.flatMap((row) => row.insight.trend.filter((point) => point.share !== null).map((point) => point.week)).sort()[0];
  return rows.flatMap((row) =>
    row.insight.trend.filter((point) => first !== undefined && point.week >= first).map((point) => ({ week: point.week, port: String(row.port), share: point.share })),
  );
}

/** Ports in the heatmap: those most often in the shown countries' top lists. */
const HEATMAP_PORTS = 15;

/** Builds the rows of the country by port heatmap. */
export function heatmapValues(brief: Brief): object[] {
  const counts = new Map<number, number>();
  for (const section of brief.countries) {
    for (const row of section.topPorts) counts.set(row.port, (counts.get(row.port) ?? 0) + row.sessions);
  }
  const ports = [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, HEATMAP_PORTS).map(([port]) => port).sort((a, b) => a - b);
  return brief.countries.flatMap((section) =>
    ports.map((port) => {
      const row = section.topPorts.find((r) => r.port === port);
      return { country: section.name, port: String(port), share: row?.share ?? 0, sessions: row?.sessions ?? 0 };
    }),
  );
}
