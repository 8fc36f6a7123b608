import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/paths.js';
import { GEOLITE2_2019, MAXMIND_TEST_DATA, SKIP_REASON, hasSharedData } from '../helpers/shared-data.js';
import { tempDir } from '../helpers/temp.js';

/** Runs `portbrief ARGS` from source and returns its exit code and output. */
function portbrief(...args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'src', 'cli.ts'), ...args], { cwd: PROJECT_ROOT, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const ASN_TEST = path.join(MAXMIND_TEST_DATA, 'GeoLite2-ASN-Test.mmdb');

describe('portbrief geoip', () => {
  it('prints one line per address', () => {
    const result = portbrief('geoip', '8.8.8.8', '10.1.2.3', '::1');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('8.8.8.8\tUS\t8.8.0.0/15\t-\t-\t-\n10.1.2.3\tprivate\t10.0.0.0/8\t-\t-\t-\n::1\tloopback\t::1/128\t-\t-\t-\n');
  });

  it('exits 2 on an invalid address', () => {
    const result = portbrief('geoip', '8.8.8.8', '300.1.1.1');
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      "portbrief: Invalid IP address '300.1.1.1': write IPv4 as a.b.c.d (or a decimal integer) and IPv6 as hex groups such as 2001:db8::1.\n",
    );
  });

  it('needs at least one address', () => {
    const result = portbrief('geoip');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("error: missing required argument 'ip'");
  });
});

describe.skipIf(!hasSharedData)(`portbrief geoip with MaxMind databases (${SKIP_REASON})`, () => {
  it('reads both databases from options', () => {
    const result = portbrief('geoip', '--db', GEOLITE2_2019, '--asn', ASN_TEST, '12.81.92.1', '::ffff:1.128.0.1', '2001:1700::1');
    expect(result.status).toBe(0);
    expect(result.stdout.split('\n')).toEqual([
      '12.81.92.1\tUS\t12.80.0.0/14\tAS7018\tAT&T Services\t12.81.92.0/22',
      '::ffff:1.128.0.1\tAU\t1.128.0.0/11\tAS1221\tTelstra Pty Ltd\t1.128.0.0/11',
      '2001:1700::1\tCH\t2001:1700::/27\tAS6730\tSunrise Communications AG\t2001:1700::/27',
      '',
    ]);
  });

  it('reads the databases from a config', () => {
    const dir = tempDir();
    const config = path.join(dir, 'portbrief.yaml');
    writeFileSync(
      config,
      ['sources:', '  - { name: a, format: csv, path: a.csv, fields: { time: t, srcIp: s, dstPort: p } }', `geoip: { country: ${JSON.stringify(GEOLITE2_2019)}, asn: ${JSON.stringify(ASN_TEST)} }`].join('\n'),
    );
    const result = portbrief('geoip', '--config', config, '15.1.2.3');
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('15.1.2.3\tUS\t15.0.0.0/10\tAS71\tHewlett-Packard Company\t15.0.0.0/8\n');
  });

  it('names the option of a wrong database', () => {
    const file = path.join(MAXMIND_TEST_DATA, 'GeoIP2-City-Test.mmdb');
    const result = portbrief('geoip', '--asn', file, '1.1.1.1');
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(
      `portbrief: GeoIP database ${file} is a GeoIP2-City database, which has no autonomous system (ASN) data. Check --asn; it must name a GeoLite2-ASN or GeoIP2-ISP .mmdb file.\n`,
    );
  });

  it('names a damaged country database', () => {
    const file = path.join(MAXMIND_TEST_DATA, 'GeoIP2-City-Test-Invalid-Node-Count.mmdb');
    const result = portbrief('geoip', '--db', file, '1.1.1.1');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`portbrief: GeoIP database ${file} is damaged: the file ends inside its search tree`);
    expect(result.stderr).toContain('Check --db;');
  });
});
