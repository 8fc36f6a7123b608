import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, validateConfig } from '../src/config.js';
import { EXIT, PortbriefError } from '../src/errors.js';
import { tempDir } from './helpers/temp.js';

const minimal = {
  sources: [{ name: 'marx', format: 'csv', path: 'marx.csv.gz', fields: { time: 'datetime', srcIp: 'src', dstPort: 'dpt' } }],
};

function errorOf(action: () => unknown): PortbriefError {
  try {
    action();
  } catch (error) {
    if (error instanceof PortbriefError) return error;
    throw error;
  }
  throw new Error('expected a PortbriefError');
}

describe('validateConfig', () => {
  it('fills defaults and resolves paths against the config folder', () => {
    const config = validateConfig(minimal, '/srv/briefs/portbrief.yaml');
    expect(config.timezone).toBe('UTC');
    expect(config.top).toEqual({ countries: 5, ports: 10 });
    expect(config.output).toBe('/srv/briefs/reports');
    expect(config.state).toBe('/srv/briefs/state');
    expect(config.geoip.country).toBeUndefined();
    expect(config.brief.tlp).toBe('TLP:CLEAR');
  });

  it('names the file and key path of an unknown key', () => {
    const error = errorOf(() => validateConfig({ ...minimal, sources: [{ ...minimal.sources[0], feilds: {} }] }, 'pb.yaml'));
    expect(error.message).toContain("pb.yaml: sources[0]: unknown key 'feilds'");
    expect(error.exitCode).toBe(EXIT.usage);
  });

  it('names the key path of a wrong type', () => {
    const error = errorOf(() => validateConfig({ ...minimal, top: { countries: 'five' } }, 'pb.yaml'));
    expect(error.message).toMatch(/^pb\.yaml: top\.countries: .*number/);
  });

  it('rejects an unknown time zone', () => {
    const error = errorOf(() => validateConfig({ ...minimal, timezone: 'Mars/Olympus' }, 'pb.yaml'));
    expect(error.message).toContain('pb.yaml: timezone: unknown time zone');
  });

  it('rejects a format it cannot read', () => {
    const error = errorOf(() => validateConfig({ sources: [{ ...minimal.sources[0], format: 'pcap' }] }, 'pb.yaml'));
    expect(error.message).toContain('pb.yaml: sources[0].format:');
  });

  it('rejects duplicate source names', () => {
    const error = errorOf(() => validateConfig({ sources: [minimal.sources[0], minimal.sources[0]] }, 'pb.yaml'));
    expect(error.message).toContain("sources[1].name: 'marx' is used by an earlier source");
  });
});

describe('loadConfig', () => {
  const dir = tempDir();

  it('reports a missing file with the option to fix', async () => {
    const file = path.join(dir, 'absent.yaml');
    await expect(loadConfig(file)).rejects.toThrow(`Cannot read config ${file}: not found. Pass an existing YAML file with --config.`);
  });

  it('reports invalid YAML with its line', async () => {
    const file = path.join(dir, 'broken.yaml');
    writeFileSync(file, 'sources:\n  - name: a\n   format: csv\n');
    await expect(loadConfig(file)).rejects.toThrow(new RegExp(`^${file}:3:\\d+: invalid YAML`));
  });

  it('reads a valid file', async () => {
    const file = path.join(dir, 'ok.yaml');
    writeFileSync(file, 'sources:\n  - name: a\n    format: parquet\n    path: "lake/*.parquet"\n    fields: { time: ts, srcIp: ip, dstPort: port }\n');
    const config = await loadConfig(file);
    expect(config.sources[0].format).toBe('parquet');
    expect(config.baseDir).toBe(dir);
  });
});
