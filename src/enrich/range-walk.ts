import { IPV4_BASE } from './address.js';
import type { DatabaseRecord } from './records.js';

/** A run of addresses with one value, as 128-bit keys (IPv4 at ::ffff:a.b.c.d). */
export interface AddressRange<T> {
  start: bigint;
  end: bigint;
  value: T;
}

/** A lookup that returns the record for an address and the prefix length of the network holding it. */
export type PrefixLookup = (ip: string) => [DatabaseRecord, number];

/**
 * The record reading of a walk: `valueOf` returns the value to store (null
 * for none), and `keyOf` returns a string that is equal for values that may
 * be merged into one range.
 */
export interface RangeValue<T> {
  valueOf: (record: DatabaseRecord) => T | null;
  keyOf: (value: T) => string;
}

const IPV4_END = IPV4_BASE + 0xffff_ffffn;
const IPV6_END = (1n << 128n) - 1n;

/**
 * Walks every network of a MaxMind database in address order and yields runs
 * of one value, merging neighbours with equal keys. It steps from network to
 * network with the reader's own lookup, so the table matches per-row lookups
 * by construction. IPv4 is walked through the database's IPv4 subtree; the
 * IPv6 walk skips ::/96 and ::ffff:0:0/96, which hold IPv4 again.
 */
export function* walkRanges<T>(lookup: PrefixLookup, ipVersion: 4 | 6, reading: RangeValue<T>): Generator<AddressRange<T>> {
  let pending: AddressRange<T> | null = null;
  let pendingKey = '';

  for (const [first, last, bits, format] of spans(ipVersion)) {
    let address = first;
    while (address <= last) {
      const [record, prefixLength] = lookup(format(address));
      const size = 1n << BigInt(bits - prefixLength);
      // Networks are aligned to their size; only the first step of a span can start inside one.
      const networkStart = address - (address % size);
      const end = min(networkStart + size - 1n, last);
      const value = reading.valueOf(record);

      if (value !== null) {
        const key = reading.keyOf(value);
        if (pending && pendingKey === key && pending.end + 1n === address) {
          pending.end = end;
        } else {
          if (pending) yield pending;
          pending = { start: address, end, value };
          pendingKey = key;
        }
      }
      address = end + 1n;
    }
  }
  if (pending) yield pending;
}

type Span = [first: bigint, last: bigint, bits: number, format: (key: bigint) => string];

function spans(ipVersion: 4 | 6): Span[] {
  const ipv4: Span = [IPV4_BASE, IPV4_END, 32, (key) => formatIpv4(key - IPV4_BASE)];
  if (ipVersion === 4) return [ipv4];
  return [
    [1n << 32n, IPV4_BASE - 1n, 128, formatIpv6],
    ipv4,
    [IPV4_END + 1n, IPV6_END, 128, formatIpv6],
  ];
}

function formatIpv4(value: bigint): string {
  const n = Number(value);
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

function formatIpv6(key: bigint): string {
  const groups: string[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) groups.push(((key >> shift) & 0xffffn).toString(16));
  return groups.join(':');
}

function min(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}
