import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkDeployment } from '../../src/check.js';
import { PROJECT_ROOT, QUERIES_DIR } from '../../src/paths.js';
import { tempDir } from '../helpers/temp.js';

const DEMO_CONFIG = path.join(PROJECT_ROOT, 'demo', 'portbrief.yaml');

/** Writes a config in `dir` that reads the demo archive, followed by the YAML in `extra`, and returns its path. */
function writeDemoConfig(dir: string, extra: string): string {
  const file = path.join(dir, 'portbrief.yaml');
  const archive = JSON.stringify(path.join(PROJECT_ROOT, 'demo', 'tpot-2025.csv.gz'));
  writeFileSync(file, `sources:\n  - name: tpot\n    format: csv\n    path: ${archive}\n    fields: { time: timestamp, srcIp: src_ip, dstPort: dst_port }\n${extra}`);
  return file;
}

describe('checkDeployment', () => {
  it('passes the demo deployment, warning about the unset password', async () => {
    const results = await checkDeployment(DEMO_CONFIG);
    expect(results.filter((r) => r.problem)).toEqual([]);
    expect(results.find((r) => r.subject === 'mail password')?.warning).toContain('PORTBRIEF_SMTP_PASSWORD is not set here');
    expect(results.map((r) => r.subject)).toEqual(
      expect.arrayContaining(['query queries/top_ports.sql', 'queries, run on a sample archive', 'source tpot', 'GeoIP databases (country: embedded)', 'client sensors, read from source tpot']),
    );
  });

  it('names the config file once', async () => {
    const dir = tempDir();
    const file = writeDemoConfig(dir, 'clients:\n  - id: acme\n    name: Acme\n    sensors: [tpot-9]\n');
    writeFileSync(file, readFileSync(file, 'utf8').replace('    format: csv\n', '    format: csv\n    sensor: tpot-1\n'));

    const [config] = await checkDeployment(file);

    expect(config).toEqual({
      subject: `config ${file}`,
      problem: "clients[0].sensors[0]: no source produces sensor 'tpot-9'; sensors are tpot-1. Fix the name, or set the sensor: of the source that reads it.",
    });
  });

  it('names a broken template override by file and line', async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'overrides', 'partials'), { recursive: true });
    writeFileSync(path.join(dir, 'overrides', 'partials', 'summary.hbs'), '<section>\n{{#each findings}}\n</section>\n');
    const results = await checkDeployment(writeDemoConfig(dir, 'templates: overrides\n'));

    const failed = results.filter((r) => r.problem);
    expect(failed).toHaveLength(1);
    expect(failed[0].subject).toContain('templates and chart specs of client default');
    expect(failed[0].problem).toMatch(new RegExp(`^${path.join(dir, 'overrides', 'partials', 'summary.hbs')}:\\d+(:\\d+)?: template error: `));
  });

  it("checks a client's own mail templates by file and line", async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'acme', 'email'), { recursive: true });
    writeFileSync(path.join(dir, 'acme', 'email', 'body.txt.hbs'), 'Hello {{client.name}},\n{{#if weekTotals.sessions}}busy week\n');
    const results = await checkDeployment(
      writeDemoConfig(dir, 'clients:\n  - { id: acme, name: Acme, sources: [tpot], templates: acme }\n  - { id: other, name: Other, sources: [tpot] }\n'),
    );

    const failed = results.filter((r) => r.problem);
    expect(failed.map((r) => r.subject)).toEqual([`mail templates of client acme (${path.join(dir, 'acme', 'email')}, ${path.join(PROJECT_ROOT, 'templates', 'email')})`]);
    expect(failed[0].problem).toBe(
      `${path.join(dir, 'acme', 'email', 'body.txt.hbs')}:3:1: template error: parse error: the file ends inside {{#if}}, opened on line 2; close it with {{/if}}`,
    );
  });

  it('names a query file with a syntax error', async () => {
    const queries = tempDir();
    writeFileSync(path.join(queries, 'macros.sql'), 'SELECT 1;\n');
    writeFileSync(path.join(queries, 'top_ports.sql'), 'SELEC country FROM weekly_ports;\n');

    const results = await checkDeployment(DEMO_CONFIG, { queriesDir: queries });

    const failed = results.filter((r) => r.problem);
    expect(failed.map((r) => r.subject)).toEqual(['query queries/top_ports.sql']);
    expect(failed[0].problem).toContain('syntax error at or near "SELEC"');
  });

  it('runs the queries to find a column that does not exist', async () => {
    const queries = tempDir();
    cpSync(QUERIES_DIR, queries, { recursive: true });
    const file = path.join(queries, 'top_ports.sql');
    writeFileSync(file, readFileSync(file, 'utf8').replace('w.sources::INTEGER AS sources', 'w.source_count::INTEGER AS sources'));

    const results = await checkDeployment(DEMO_CONFIG, { queriesDir: queries });

    const failed = results.filter((r) => r.problem);
    expect(failed.map((r) => r.subject)).toEqual(['queries, run on a sample archive']);
    expect(failed[0].problem).toMatch(/^queries\/top_ports\.sql: Binder Error: Table "w" does not have a column named "source_count"/);
    expect(failed[0].problem).toContain('LINE 17:');
  });

  it('reports a config it cannot load and stops there', async () => {
    const results = await checkDeployment('/nonexistent/portbrief.yaml');
    expect(results).toEqual([{ subject: 'config /nonexistent/portbrief.yaml', problem: 'Cannot read config /nonexistent/portbrief.yaml: not found. Pass an existing YAML file with --config.' }]);
  });

  it('names a folder given as the config', async () => {
    const dir = tempDir();
    const results = await checkDeployment(dir);
    expect(results).toEqual([{ subject: `config ${dir}`, problem: `Cannot read config ${dir}: it is a folder, not a file. Pass an existing YAML file with --config.` }]);
  });

  it('finds a misspelt sensor in the archive', async () => {
    const dir = tempDir();
    const file = writeDemoConfig(dir, 'clients:\n  - id: acme\n    name: Acme\n    sensors: [dionaea, heraldng]\n');
    writeFileSync(file, readFileSync(file, 'utf8').replace('dstPort: dst_port }', 'dstPort: dst_port, sensor: sensor }'));

    const results = await checkDeployment(file);

    expect(results.filter((r) => r.problem)).toEqual([
      {
        subject: 'client sensors, read from source tpot',
        problem: `${file}: clients[0].sensors[1]: no source produces sensor 'heraldng'; the archive has dionaea, heralding, honeytrap. Fix the name or the source's sensor field.`,
      },
    ]);
  });
});
