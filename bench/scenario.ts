/**
 * The eight-week scenario the analysis tests replay, from 2024-W40 to
 * 2024-W47. China's share on port 1433 swings between 30% and 40%. Russia
 * scans RDP's 3389 and its neighbours. Port 9530 jumps into Iran's top 10 in
 * week 7, after one stray session in week 2.
 */
import type { PlanRow } from './generator.js';

export const SCENARIO_FIRST_WEEK = new Date('2024-09-30T00:00:00Z');

/** China's share of sessions on 1433 in each week, as planned. */
export const CHINA_1433_SHARES = [0.3, 0.35, 0.4, 0.32, 0.38, 0.31, 0.36, 0.39];

/** Iran's sessions and sources on 9530 in week 7 (index 6). */
export const IRAN_9530 = { sessions: 45, sources: 12 };

const CHINA_TOTAL = 1000;

type Port = [port: number, sessions: number, sources: number, proto?: 'tcp' | 'udp'];

const CHINA: Port[] = [[22, 180, 45], [3389, 110, 30], [445, 80, 25], [80, 60, 20], [23, 40, 15], [8080, 30, 10], [3306, 20, 8], [6379, 15, 6], [5900, 10, 5]];
const RUSSIA: Port[] = [[3389, 200, 40], [445, 60, 15], [22, 50, 12], [23, 40, 10], [80, 35, 8], [3388, 30, 5], [3390, 25, 4], [3391, 20, 3]];
const IRAN: Port[] = [
  [23, 150, 40], [80, 100, 30], [8080, 80, 20], [22, 70, 15], [443, 60, 12], [445, 50, 10], [1433, 40, 9], [3389, 35, 8],
  [5555, 30, 7], [81, 25, 6], [8081, 20, 5], [88, 18, 5], [8888, 16, 4], [2323, 14, 4], [9000, 12, 3],
  [10001, 8, 3], [10002, 7, 3], [10003, 6, 3], [10004, 5, 3], [10005, 4, 2], [10006, 3, 2],
];
const UNITED_STATES: Port[] = [[80, 120, 30], [443, 100, 25], [22, 90, 20], [8080, 50, 10], [3389, 40, 9], [23, 30, 8], [25, 20, 5], [53, 15, 5, 'udp']];

/** Builds the scenario's plan. */
export function scenarioPlan(): PlanRow[] {
  const plan: PlanRow[] = [];
  const add = (week: number, country: string, ports: Port[]) => {
    for (const [port, sessions, sources, proto] of ports) plan.push({ week, country, port, sessions, sources, proto });
  };

  for (let week = 0; week < 8; week++) {
    const on1433 = Math.round(CHINA_1433_SHARES[week] * CHINA_TOTAL);
    const others = CHINA.reduce((sum, [, sessions]) => sum + sessions, 0);
    add(week, 'CN', [[1433, on1433, 150], ...CHINA, [21, CHINA_TOTAL - on1433 - others, 25]]);
    add(week, 'RU', RUSSIA);
    add(week, 'US', UNITED_STATES);
    add(week, 'IR', IRAN);
    if (week === 1) add(week, 'IR', [[9530, 1, 1]]);
    if (week === 6) add(week, 'IR', [[9530, IRAN_9530.sessions, IRAN_9530.sources]]);
  }
  return plan;
}
