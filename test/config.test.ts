import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, validateConfig } from '../src/config/load.js';
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
    expect(config.top).toEqual({ countries: 5, ports: 10, networks: 3 });
    expect(config.output).toBe('/srv/briefs/reports');
    expect(config.state).toBe('/srv/briefs/state');
    expect(config.geoip.country).toBeUndefined();
    expect(config.geoip.asn).toBeUndefined();
    expect(config.brief.tlp).toBe('TLP:CLEAR');
  });

  it('resolves both GeoIP database paths', () => {
    const config = validateConfig({ ...minimal, geoip: { country: 'geo/Country.mmdb', asn: '/var/lib/GeoIP/GeoLite2-ASN.mmdb' } }, '/srv/briefs/portbrief.yaml');
    expect(config.geoip).toEqual({ country: '/srv/briefs/geo/Country.mmdb', asn: '/var/lib/GeoIP/GeoLite2-ASN.mmdb' });
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
    expect(error.message).toBe("pb.yaml: timezone: unknown time zone 'Mars/Olympus'; use an IANA name such as UTC or Europe/Berlin");
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

describe('validateConfig clients and mail', () => {
  const client = { id: 'acme', name: 'ACME Corp', sensors: ['marx'], recipients: { to: ['soc@acme.example'] } };
  const withClients = (clients: unknown[], extra: Record<string, unknown> = {}) => ({ ...minimal, clients, ...extra });

  it('gives each client its output folder, TLP and paper', () => {
    const config = validateConfig(withClients([client, { ...client, id: 'globex', name: 'Globex', tlp: 'TLP:RED', paper: 'A4' }]), '/srv/pb.yaml');
    expect(config.clients.map((c) => [c.id, c.outputSegment, c.tlp, c.paper])).toEqual([
      ['acme', 'acme', 'TLP:CLEAR', 'Letter'],
      ['globex', 'globex', 'TLP:RED', 'A4'],
    ]);
  });

  it('uses one default client without a clients list', () => {
    const config = validateConfig(minimal, '/srv/pb.yaml');
    expect(config.clients).toEqual([expect.objectContaining({ id: 'default', sources: ['marx'], outputSegment: '' })]);
  });

  it.each([['../etc'], ['a/b'], ['Acme'], ['']])('rejects the client id %j', (id) => {
    const error = errorOf(() => validateConfig(withClients([{ ...client, id }]), 'pb.yaml'));
    expect(error.message).toContain('pb.yaml: clients[0].id: must be a slug');
  });

  it('rejects CR or LF in a client name', () => {
    const error = errorOf(() => validateConfig(withClients([{ ...client, name: 'ACME\r\nBcc: all@example.com' }]), 'pb.yaml'));
    expect(error.message).toBe('pb.yaml: clients[0].name: must not contain CR or LF');
  });

  it.each([['soc@acme.example\r\nBcc: x@y.z'], ['not an address'], ['soc@']])('rejects the recipient %j', (address) => {
    const error = errorOf(() => validateConfig(withClients([{ ...client, recipients: { to: [address] } }]), 'pb.yaml'));
    expect(error.message).toMatch(/^pb\.yaml: clients\[0\]\.recipients\.to\[0\]: (must not contain CR or LF|is not a valid mail address)/);
  });

  it('rejects duplicate client ids', () => {
    const error = errorOf(() => validateConfig(withClients([client, client]), 'pb.yaml'));
    expect(error.message).toBe("pb.yaml: clients[1].id: 'acme' is used by clients[0]; client ids must be unique.");
  });

  it('rejects a source that does not exist', () => {
    const error = errorOf(() => validateConfig(withClients([{ ...client, sensors: [], sources: ['lake'] }]), 'pb.yaml'));
    expect(error.message).toBe("pb.yaml: clients[0].sources[0]: no source is named 'lake'; sources are marx.");
  });

  it('rejects a sensor that no source produces', () => {
    const error = errorOf(() => validateConfig(withClients([{ ...client, sensors: ['honeypot-9'] }]), 'pb.yaml'));
    expect(error.message).toBe("pb.yaml: clients[0].sensors[0]: no source produces sensor 'honeypot-9'; sensors are marx. Fix the name, or set the sensor: of the source that reads it.");
  });

  it('names an unset password variable', () => {
    const mail = { host: 'smtp.example', from: 'briefs@example.com', user: 'briefs', passwordEnv: 'PORTBRIEF_SMTP_PASSWORD' };
    const error = errorOf(() => validateConfig(withClients([client], { mail }), 'pb.yaml', { env: {} }));
    expect(error.message).toContain('pb.yaml: mail.passwordEnv: the environment variable PORTBRIEF_SMTP_PASSWORD is not set.');
    const config = validateConfig(withClients([client], { mail }), 'pb.yaml', { env: { PORTBRIEF_SMTP_PASSWORD: 's3cret' } });
    expect(config.mail?.password).toBe('s3cret');
    expect(validateConfig(withClients([client], { mail }), 'pb.yaml', { env: {}, requireSecrets: false }).mail?.password).toBeUndefined();
  });

  it('rejects a mail login over a plain connection', () => {
    const mail = { host: 'smtp.example', from: 'briefs@example.com', security: 'none', user: 'briefs' };
    const error = errorOf(() => validateConfig(withClients([client], { mail }), 'pb.yaml', { env: {} }));
    expect(error.message).toMatch(/^pb\.yaml: mail\.user: set with security: none, which would send the password unencrypted/);
    expect(validateConfig(withClients([client], { mail: { ...mail, user: undefined } }), 'pb.yaml').mail?.security).toBe('none');
  });

  it('rejects CR or LF in the subject', () => {
    const mail = { host: 'smtp.example', from: 'briefs@example.com', subject: 'Brief\nBcc: x@y.z' };
    const error = errorOf(() => validateConfig(withClients([client], { mail }), 'pb.yaml'));
    expect(error.message).toBe('pb.yaml: mail.subject: must not contain CR or LF');
  });
});

describe('validateConfig countries', () => {
  it('shows top-level countries in the single brief', () => {
    const config = validateConfig({ ...minimal, countries: ['RU'] }, 'pb.yaml');
    expect(config.clients[0].countries).toEqual(['RU']);
  });

  it('rejects top-level countries next to a clients list', () => {
    const clients = [{ id: 'acme', name: 'ACME', sensors: ['marx'] }];
    const error = errorOf(() => validateConfig({ ...minimal, countries: ['RU'], clients }, 'pb.yaml'));
    expect(error.message).toBe('pb.yaml: countries: applies only without a clients list; with clients, set clients[].countries for each client.');
  });
});
