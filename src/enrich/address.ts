/**
 * Address keys in TypeScript, matching the SQL macros in queries/macros.sql:
 * one 128-bit number per address, IPv4 at ::ffff:a.b.c.d.
 */

export const IPV4_BASE = 0xffff_0000_0000n;
const IPV4_LAST = IPV4_BASE + 0xffff_ffffn;

export function isIpv4Key(key: bigint): boolean {
  return key >= IPV4_BASE && key <= IPV4_LAST;
}

/**
 * Parses the canonical text that the SQL macro ip_text writes (a dotted quad,
 * or eight hex groups without '::') into its key. Other forms are not
 * accepted, because the SQL parser has already validated and normalised them.
 */
export function keyOfCanonical(text: string): bigint {
  if (text.includes('.')) {
    return IPV4_BASE + text.split('.').reduce((value, octet) => value * 256n + BigInt(octet), 0n);
  }
  return text.split(':').reduce((value, group) => (value << 16n) + BigInt(`0x${group}`), 0n);
}

/** Writes a key as a dotted quad (IPv4) or as RFC 5952 text with the longest run of zero groups as '::'. */
export function formatKey(key: bigint): string {
  if (isIpv4Key(key)) {
    const value = Number(key - IPV4_BASE);
    return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
  }

  const groups: number[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) groups.push(Number((key >> shift) & 0xffffn));

  // RFC 5952: compress the longest run of two or more zero groups, the first one on a tie.
  let bestStart = -1;
  let bestLength = 1;
  for (let start = 0; start < 8; start++) {
    let length = 0;
    while (start + length < 8 && groups[start + length] === 0) length++;
    if (length > bestLength) {
      bestStart = start;
      bestLength = length;
    }
  }

  const hex = groups.map((group) => group.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/**
 * Writes the network of `prefixLength` bits that contains a key, in CIDR
 * notation. For an IPv4 key the prefix length counts IPv4 bits (0-32), as
 * the maxmind reader returns it for IPv4 lookups.
 */
export function networkCidr(key: bigint, prefixLength: number): string {
  const hostBits = BigInt((isIpv4Key(key) ? 32 : 128) - prefixLength);
  const first = (key >> hostBits) << hostBits;
  return `${formatKey(first)}/${prefixLength}`;
}
