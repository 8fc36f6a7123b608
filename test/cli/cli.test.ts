import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import type { Brief } from '../../src/brief.js';
import { PROJECT_ROOT } from '../../src/paths.js';
import { pdfText } from '../helpers/pdf-text.js';
import { MAXMIND_TEST_DATA, SKIP_REASON, hasSharedData } from '../helpers/shared-data.js';
import { tempDir } from '../helpers/temp.js';
import { freshStateDir } from '../helpers/two-clients.js';

const DEMO_ARCHIVE = path.join(PROJECT_ROOT, 'demo', 'tpot-2025.csv.gz');

/** Runs the CLI from source, as `portbrief ARGS`, and returns its exit code and output. */
function portbrief(...args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'src', 'cli.ts'), ...args], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
    env: { ...process.env, PORTBRIEF_LOG_LEVEL: 'warn' },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const dir = tempDir();

/** Writes a config for the demo archive into the temp folder; `extra` is appended YAML, `moreSources` YAML list items after the demo source. */
function demoConfig(name: string, extra = '', moreSources: string[] = []): string {
  const file = path.join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    [
      'sources:',
      '  - name: tpot',
      '    format: csv',
      `    path: ${JSON.stringify(DEMO_ARCHIVE)}`,
      '    fields: { time: timestamp, srcIp: src_ip, dstPort: dst_port, proto: proto, sensor: sensor }',
      ...moreSources,
      `output: ${JSON.stringify(path.join(dir, name))}`,
      `state: ${JSON.stringify(freshStateDir())}`,
      extra,
    ].join('\n'),
  );
  return file;
}

describe('portbrief weekly on the demo archive', () => {
  const result = portbrief('weekly', '--config', demoConfig('demo'), '--week', '2025-W08');
  const outputDir = path.join(dir, 'demo', '2025-W08');

  it('exits 0 and lists the files it wrote', () => {
    expect(result.status).toBe(0);
    expect(result.stdout.trim().split('\n')).toEqual(['brief.json', 'brief.html', 'brief.pdf'].map((f) => path.join(outputDir, f)));
  });

  it('warns of the database age and a stopped sensor', () => {
    // The pinned npm package was built in June 2026, more than a year after the demo week.
    // The honeytrap sensor recorded only on Tuesday 2025-02-18, while dionaea and heralding cover the week.
    const lines = result.stderr.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((line) => [line.level, line.msg])).toEqual([
      [
        'warn',
        'The country database geo-whois-asn-country.mmdb was built on 2026-06-17, 478 days after the end of week 2025-W08. ' +
          'Addresses may have moved to other countries since that week, so some attributions may be wrong for it. ' +
          'For an old week, point geoip.country at a database built near that week if you have one.',
      ],
      ['warn', 'client default: sensor honeytrap recorded sessions in 2025-W08 only from 2025-02-18T03:45:18Z to 2025-02-18T04:23:27Z; check that it runs and that its logs reach the archive'],
    ]);
  });

  it('rejects placeholders and listen events with their reasons', () => {
    const brief = JSON.parse(readFileSync(path.join(outputDir, 'brief.json'), 'utf8')) as Brief;
    expect(brief.totals).toEqual({ rowsRead: 108_191, accepted: 107_498, rejected: 693 });
    // honeytrap pads with placeholder records; dionaea logs its own listening sockets with no source address.
    expect(brief.rejectReasons).toEqual([
      { reason: 'placeholder record', rows: 685 },
      { reason: 'missing source IP', rows: 8 },
    ]);
    expect(brief.databases.map((database) => [database.role, database.embedded])).toEqual([['country', true]]);
  });

  it('prints a PDF whose countries and ports match brief.json', () => {
    const brief = JSON.parse(readFileSync(path.join(outputDir, 'brief.json'), 'utf8')) as Brief;
    const text = pdfText(path.join(outputDir, 'brief.pdf'));

    expect(text).toContain('Week 2025-W08 · 2025-02-17 to 2025-02-23 (UTC)');
    expect(brief.countries).toHaveLength(5);
    for (const section of brief.countries) {
      expect(text).toContain(`${section.name} ${section.country}`);
      for (const row of section.topPorts) {
        const sessions = row.sessions.toLocaleString('en-US');
        expect(text).toMatch(new RegExp(`\\b${row.rank}\\s+${row.port}\\s+.*${sessions}\\s+${row.sources}\\b`));
      }
    }
  });
});

describe('portbrief errors', () => {
  it('shows help', () => {
    const result = portbrief('--help');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('weekly [options]');
  });

  it('marks required options in help and prints its version', () => {
    const help = portbrief('preview', '--help');
    expect(help.stdout).toMatch(/-c, --config <file>\s+YAML config file \(required\)/);
    expect(help.stdout).toMatch(/-w, --week <YYYY-Www>\s+ISO week to show \(required\)/);
    expect(help.stdout).toMatch(/Global Options:\n(.*\n)*\s+--debug\s+print stack traces and debug logs/);
    const version = portbrief('--version');
    expect(version.status).toBe(0);
    expect(version.stdout).toBe(`${(JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string }).version}\n`);
  });

  it('names a missing config file', () => {
    const result = portbrief('weekly', '--config', path.join(dir, 'absent.yaml'));
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(`portbrief: Cannot read config ${path.join(dir, 'absent.yaml')}: not found. Pass an existing YAML file with --config.\n`);
  });

  it('stops check at a missing config', () => {
    const file = path.join(dir, 'absent.yaml');
    const result = portbrief('check', '--config', file);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe(
      `FAIL config ${file}: Cannot read config ${file}: not found. Pass an existing YAML file with --config.\n1 of 1 checks failed.\nThe other checks run once the config loads.\n`,
    );
  });

  it('names the key of an invalid config', () => {
    const file = demoConfig('invalid', 'top: { ports: many }');
    const result = portbrief('weekly', '--config', file);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`^portbrief: ${file}: top\\.ports: .*number.*\\n$`));
  });

  it('names a missing archive file', () => {
    const file = path.join(dir, 'missing-archive.yaml');
    writeFileSync(file, 'sources:\n  - name: a\n    format: csv\n    path: gone.csv\n    fields: { time: t, srcIp: s, dstPort: p }\n');
    const result = portbrief('weekly', '--config', file, '--week', '2025-W08');
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n').at(-1)).toBe(`portbrief: ${file}: sources[0].path: archive file ${path.join(dir, 'gone.csv')} is not found. Fix the path or the file's permissions.`);
  });

  it('lists the weeks the archive covers when the week has no data', () => {
    const result = portbrief('weekly', '--config', demoConfig('empty-week'), '--week', '2024-W01');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('portbrief: The archive has no sessions in week 2024-W01. It covers 5 weeks from 2025-W07 to 2025-W15: 2025-W07, 2025-W08, 2025-W09, 2025-W11, 2025-W15.');
    expect(result.stderr).toContain('Pass one of them with --week.');
  });

  it('names a wholly rejected source', () => {
    const eve = path.join(dir, 'eve.json');
    const flow = (second: number) =>
      JSON.stringify({ timestamp: `2025-03-04T10:00:0${second}.000000+0000`, event_type: 'flow', src_ip: '8.8.8.8', src_port: 50000, dest_ip: '10.0.0.1', dest_port: 22, proto: 'TCP' });
    writeFileSync(eve, `${flow(1)}\n${flow(2)}\n`);
    const file = demoConfig('wrong-field', '', ['  - name: eve', '    format: suricata', `    path: ${JSON.stringify(eve)}`, '    fields: { dstPort: dst_port }']);

    const result = portbrief('weekly', '--config', file, '--week', '2025-W10', '--dry-run');

    expect(result.status).toBe(2);
    expect(result.stderr).toContain("Pass one of them with --week. Also, source 'eve' accepted none of its 2 rows (missing port 2): check sources[1].fields and its time settings.\n");
    expect(result.stderr).toContain('"msg":"source \'eve\' accepted none of its 2 rows (missing port 2): check sources[1].fields and its time settings"');
  });

  it('refuses the week in progress', () => {
    const current = DateTime.utc();
    const week = `${current.weekYear}-W${String(current.weekNumber).padStart(2, '0')}`;
    const result = portbrief('weekly', '--config', demoConfig('current-week'), '--week', week);
    const ends = current.startOf('week').plus({ weeks: 1 }).toFormat('yyyy-MM-dd');
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n').at(-1)).toBe(
      `portbrief: Week ${week} has not ended: it runs to ${ends} 00:00 UTC. Run it after that, or leave out --week to report the last complete week.`,
    );
  });

  it('names unknown --client ids', () => {
    const file = demoConfig('unknown-client');
    const result = portbrief('weekly', '--config', file, '--week', '2025-W08', '--client', 'acme', '--client', 'globex');
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n').at(-1)).toBe(
      `portbrief: --client: ${file} has no client 'acme', 'globex'. It lists no clients, so its one brief is 'default': leave out --client.`,
    );
  });

  it('rejects a malformed week', () => {
    const result = portbrief('weekly', '--config', demoConfig('bad-week'), '--week', '2025-8');
    expect(result.status).toBe(2);
    expect(result.stderr).toBe("portbrief: Invalid week '2025-8': write it as YYYY-Www, for example 2025-W08.\n");
  });

  it.skipIf(!hasSharedData)(`names a corrupt GeoIP database (${SKIP_REASON})`, () => {
    const database = path.join(MAXMIND_TEST_DATA, 'bad-libmaxminddb-metadata-marker-only.mmdb');
    const file = demoConfig('corrupt-db', `geoip: { country: ${JSON.stringify(database)} }`);
    const result = portbrief('weekly', '--config', file, '--week', '2025-W08');
    expect(result.status).toBe(2);
    // One JSON line for the log, then the same message as one plain line.
    const [logged, plain, ...rest] = result.stderr.trim().split('\n');
    expect(rest).toEqual([]);
    expect(JSON.parse(logged)).toMatchObject({ level: 'error', msg: 'weekly run failed', week: '2025-W08', exitCode: 2, runId: expect.stringMatching(/^[0-9a-f]{8}$/) });
    expect(plain).toBe(`portbrief: ${(JSON.parse(logged) as { err: string }).err}`);
    expect(plain).toContain(`portbrief: GeoIP database ${database} is not a valid MaxMind database`);
  });

  it.skipIf(!hasSharedData)(`names a country database given as geoip.asn (${SKIP_REASON})`, () => {
    const database = path.join(MAXMIND_TEST_DATA, 'GeoIP2-Country-Test.mmdb');
    const file = demoConfig('country-as-asn', `geoip: { asn: ${JSON.stringify(database)} }`);
    const result = portbrief('weekly', '--config', file, '--week', '2025-W08');
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n').at(-1)).toBe(
      `portbrief: GeoIP database ${database} is a GeoIP2-Country database, which has no autonomous system (ASN) data. Check geoip.asn in ${file}; it must name a GeoLite2-ASN or GeoIP2-ISP .mmdb file.`,
    );
  });

  it('prints a stack trace only with --debug', () => {
    const database = path.join(dir, 'not-a-database.mmdb');
    writeFileSync(database, 'plain text');
    const file = demoConfig('debug', `geoip: { country: ${JSON.stringify(database)} }`);

    const plain = portbrief('weekly', '--config', file, '--week', '2025-W08');
    const debug = portbrief('weekly', '--config', file, '--week', '2025-W08', '--debug');

    expect(plain.status).toBe(2);
    expect(plain.stderr).not.toContain('    at ');
    expect(debug.status).toBe(2);
    expect(debug.stderr).toContain('    at ');
  });
});
