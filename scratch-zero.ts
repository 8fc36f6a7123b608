import { writeFileSync, mkdtempSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { execFileSync } from 'node:child_process';
import { validateConfig } from './src/config/load.js';
import { silentLogger } from './src/log.js';
import { runWeekly } from './src/weekly.js';
const folder = mkdtempSync(path.join(tmpdir(), 'zero-'));
const rows = [
  ...Array.from({ length: 4 }, (_, i) => `2025-02-18 10:00:0${i},8.8.8.8,,icmp`),
  ...Array.from({ length: 3 }, (_, i) => `2025-02-18 11:00:0${i},77.88.8.8,22,tcp`),
];
writeFileSync(path.join(folder, 'a.csv'), ['ts,src,dport,proto', ...rows].join('\n') + '\n');
const config = validateConfig({ sources: [{ name: 'sensors', format: 'csv', path: 'a.csv', fields: { time: 'ts', srcIp: 'src', dstPort: 'dport', proto: 'proto' } }], output: path.join(folder, 'reports'), state: path.join(folder, 'state') }, path.join(folder, 'p.yaml'));
const result = await runWeekly({ config, week: '2025-W08', now: new Date('2026-12-04T12:00:00Z'), log: silentLogger(), dryRun: true });
console.log(result.exitCode, result.failed);
const dir = path.join(folder, 'reports', '2025-W08');
const brief = JSON.parse(readFileSync(path.join(dir, 'brief.json'), 'utf8'));
console.log(JSON.stringify(brief.countries.map((c: any) => [c.country, c.sessions, c.topPorts.length])), JSON.stringify(brief.weeklySessions));
console.log(execFileSync('pdftotext', ['-layout', path.join(dir, 'brief.pdf'), '-'], { encoding: 'utf8' }));
console.log(folder);
