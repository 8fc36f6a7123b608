import { cpSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SHARED_STATE_DIR, STATE_DIRS } from './temp.js';

/** Ports that only one client's sensor saw, to prove a brief holds only its own data. */
export const MARKER_A = 41111;
export const MARKER_B = 42222;

function rows(count: number, time: string, ip: string, port: number, sensor: string): string[] {
  return Array.from({ length: count }, (_, i) => `${time.replace('SS', String(10 + i))},${ip},${port},tcp,${sensor}`);
}

/**
 * Writes one CSV archive shared by two clients' sensors (sensor-a, sensor-b)
 * over 2025-W07 and 2025-W08, with a marker port per client, one invalid row
 * of sensor-a and one malformed line. Addresses are public resolvers whose
 * country the embedded database gives as US, RU and JP.
 */
export function writeTwoClientArchive(dir: string): string {
  const file = path.join(dir, 'sensors.csv');
  const lines = [
    'time,src,dport,proto,sensor',
    ...rows(5, '2025-02-18 10:00:SS', '8.8.8.8', 22, 'sensor-a'),
    ...rows(3, '2025-02-18 11:00:SS', '8.8.4.4', MARKER_A, 'sensor-a'),
    ...rows(4, '2025-02-19 10:00:SS', '77.88.8.8', 3389, 'sensor-a'),
    ...rows(2, '2025-02-11 10:00:SS', '9.9.9.9', 22, 'sensor-a'),
    '2025-02-18 12:00:00,not-an-address,22,tcp,sensor-a',
    ...rows(6, '2025-02-20 10:00:SS', '8.8.8.8', 80, 'sensor-b'),
    ...rows(2, '2025-02-20 11:00:SS', '9.9.9.9', MARKER_B, 'sensor-b'),
    ...rows(3, '2025-02-21 10:00:SS', '202.12.27.33', 23, 'sensor-b'),
    ...rows(1, '2025-02-12 10:00:SS', '8.8.8.8', 80, 'sensor-b'),
    '2025-02-21 12:00:00,8.8.8.8,80',
  ];
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** Creates a fresh state folder holding a copy of the shared GeoIP range cache, so tests skip the database walk. */
export function freshStateDir(): string {
  mkdirSync(STATE_DIRS, { recursive: true });
  const dir = mkdtempSync(path.join(STATE_DIRS, 'state-'));
  const cache = path.join(SHARED_STATE_DIR, 'geoip');
  if (existsSync(cache)) cpSync(cache, path.join(dir, 'geoip'), { recursive: true });
  return dir;
}

/** Builds the config of the two-client archive, mailing through an SMTP server on 127.0.0.1:`port`. */
export function twoClientConfig(archive: string, output: string, state: string, smtpPort: number, extraMail: Record<string, unknown> = {}) {
  return {
    sources: [{ name: 'sensors', format: 'csv', path: archive, fields: { time: 'time', srcIp: 'src', dstPort: 'dport', proto: 'proto', sensor: 'sensor' } }],
    clients: [
      { id: 'alpha', name: 'Alpha Corp', sensors: ['sensor-a'], recipients: { to: ['soc@alpha.example'], cc: ['ciso@alpha.example'] }, tlp: 'TLP:AMBER' },
      { id: 'beta', name: 'Beta Ltd', sensors: ['sensor-b'], recipients: { to: ['security@beta.example'] }, countries: ['RU'], paper: 'A4' },
    ],
    mail: { host: '127.0.0.1', port: smtpPort, security: 'none', from: 'portbrief <briefs@portbrief.example>', attempts: 3, retryDelayMs: 10, ...extraMail },
    output,
    outbox: path.join(output, 'outbox'),
    state,
  };
}
