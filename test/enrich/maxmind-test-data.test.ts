import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Database } from '../../src/db.js';
import { IPV4_BASE, formatKey } from '../../src/enrich/address.js';
import { openConfiguredDatabases } from '../../src/enrich/enrich.js';
import { asnOfRecord, countryOfRecord } from '../../src/enrich/records.js';
import { type Located, locate } from '../helpers/locate.js';
import { MAXMIND_TEST_DATA, SKIP_REASON, hasSharedData } from '../helpers/shared-data.js';
import { SHARED_STATE_DIR } from '../helpers/temp.js';

let db: Database;
beforeEach(async () => {
  db = await Database.open();
});
afterEach(() => db.close());


interface SourceNetwork {
  first: bigint;
  last: bigint;
  prefixLength: number;
  record: Record<string, unknown>;
}

/**
 * Reads a MaxMind test source file: a list of { "network": record }. IPv4
 * networks are written either as a.b.c.d/n or inside ::/96 (::a.b.c.d/n+96);
 * both become keys at ::ffff:a.b.c.d, as portbrief stores them.
 */
function sourceNetworks(name: string): SourceNetwork[] {
  const entries = JSON.parse(readFileSync(path.join(MAXMIND_TEST_DATA, `${name}.json`), 'utf8')) as Array<Record<string, Record<string, unknown>>>;
  return entries.map((entry) => {
    const [[network, record]] = Object.entries(entry);
    const [address, bits] = network.split('/');
    let prefixLength = Number(bits);
    let first: bigint;
    if (/^(::)?\d+\.\d+\.\d+\.\d+$/.test(address)) {
      if (address.startsWith('::')) prefixLength -= 96;
      first = IPV4_BASE + address.replace(/^::/, '').split('.').reduce((value, octet) => value * 256n + BigInt(octet), 0n);
      prefixLength += 96;
    } else {
      first = ipv6Key(address);
    }
    // Some source networks are written with host bits set (::74.209.24.0/116 is 74.209.16.0/20).
    const size = 1n << BigInt(128 - prefixLength);
    first -= first % size;
    return { first, last: first + size - 1n, prefixLength, record };
  });
}

function ipv6Key(text: string): bigint {
  const [head, tail] = text.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = [...headGroups, ...Array<string>(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups];
  return groups.reduce((value, group) => (value << 16n) + BigInt(`0x${group}`), 0n);
}

/**
 * Lists the first and last address of every network with the record that
 * covers it: the most specific network of the source file holding it, as the
 * MaxMind writer inserts them.
 */
function probes(networks: SourceNetwork[]): Array<{ ip: string; record: Record<string, unknown> }> {
  const result: Array<{ ip: string; record: Record<string, unknown> }> = [];
  for (const network of networks) {
    for (const key of [network.first, network.last]) {
      const covering = networks
        .filter((other) => other.first <= key && key <= other.last)
        .reduce((best, other) => (other.prefixLength > best.prefixLength ? other : best));
      result.push({ ip: formatKey(key), record: covering.record });
    }
  }
  return result;
}

function mismatches<T>(cases: Array<{ ip: string; expected: T }>, located: Map<string, Located>, actualOf: (result: Located) => T): string[] {
  return cases
    .filter((c) => JSON.stringify(actualOf(located.get(c.ip)!)) !== JSON.stringify(c.expected))
    .map((c) => `${c.ip}: ${JSON.stringify(actualOf(located.get(c.ip)!))} != ${JSON.stringify(c.expected)}`);
}

describe.skipIf(!hasSharedData)(`range tables against MaxMind test data (${SKIP_REASON})`, () => {
  it.each(['GeoIP2-Country-Test', 'GeoIP2-City-Test', 'GeoLite2-Country-Test', 'GeoLite2-City-Test'])('%s countries match source', async (name) => {
    const databases = await openConfiguredDatabases({ file: 'portbrief.yaml', geoip: { country: path.join(MAXMIND_TEST_DATA, `${name}.mmdb`) } });
    const cases = probes(sourceNetworks(name))
      .map((probe) => ({ ip: probe.ip, expected: countryOfRecord(probe.record) ?? 'unknown' }))
      .filter((c) => c.expected !== 'unknown');
    expect(cases.filter((c) => c.ip.includes(':')).length).toBeGreaterThan(100);
    expect(cases.filter((c) => !c.ip.includes(':')).length).toBeGreaterThan(10);

    const located = await locate(db, databases, SHARED_STATE_DIR, cases.map((c) => c.ip));

    expect(mismatches(cases, located, (result) => result.label)).toEqual([]);
  });

  it.each(['GeoLite2-ASN-Test', 'GeoIP2-ISP-Test'])('%s networks match source', async (name) => {
    const databases = await openConfiguredDatabases({ file: 'portbrief.yaml', geoip: { asn: path.join(MAXMIND_TEST_DATA, `${name}.mmdb`) } });
    const cases = probes(sourceNetworks(name))
      .map((probe) => ({ ip: probe.ip, expected: asnOfRecord(probe.record) }))
      .filter((c) => c.expected !== null);
    expect(cases.filter((c) => c.ip.includes(':')).length).toBeGreaterThan(50);
    expect(cases.filter((c) => !c.ip.includes(':')).length).toBeGreaterThan(50);

    const located = await locate(db, databases, SHARED_STATE_DIR, cases.map((c) => c.ip));

    expect(mismatches(cases, located, (result) => ({ asn: result.asn, organisation: result.organisation }))).toEqual([]);
  });

  it('reads networks in IPv4-mapped form as IPv4', async () => {
    const databases = await openConfiguredDatabases({ file: 'portbrief.yaml', geoip: { asn: path.join(MAXMIND_TEST_DATA, 'GeoLite2-ASN-Test.mmdb') } });
    const located = await locate(db, databases, SHARED_STATE_DIR, ['::ffff:1.128.0.0', '::ffff:12.81.92.1', '1.128.0.0']);
    expect(located.get('::ffff:1.128.0.0')).toEqual({ label: 'AU', asn: 1221, organisation: 'Telstra Pty Ltd' });
    expect(located.get('::ffff:12.81.92.1')).toMatchObject({ asn: 7018, organisation: 'AT&T Services' });
    expect(located.get('1.128.0.0')).toEqual(located.get('::ffff:1.128.0.0'));
  });

  it('gives an address outside every network no ASN', async () => {
    const databases = await openConfiguredDatabases({ file: 'portbrief.yaml', geoip: { asn: path.join(MAXMIND_TEST_DATA, 'GeoLite2-ASN-Test.mmdb') } });
    const located = await locate(db, databases, SHARED_STATE_DIR, ['1.0.1.0', '10.0.0.1']);
    expect(located.get('1.0.1.0')!.asn).toBeNull();
    expect(located.get('10.0.0.1')).toEqual({ label: 'private', asn: null, organisation: null });
  });
});
