import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database } from '../../src/db.js';

let db: Database;
beforeAll(async () => {
  db = await Database.open();
});
afterAll(() => db.close());

async function scalar(sql: string, params?: Record<string, string>): Promise<unknown> {
  const rows = await db.query(`SELECT (${sql}) AS value`, params);
  return rows[0].value;
}

describe('ip_key and ip_text', () => {
  it.each([
    ['61.131.218.218', '61.131.218.218'],
    ['1032051418', '61.131.218.218'],
    ['::ffff:61.131.218.218', '61.131.218.218'],
    ['2001:db8::1', '2001:db8:0:0:0:0:0:1'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8:0:0:0:0:0:1'],
    ['fe80::1%eth0', 'fe80:0:0:0:0:0:0:1'],
    ['::1', '0:0:0:0:0:0:0:1'],
    ['1::', '1:0:0:0:0:0:0:0'],
    ['64:ff9b::192.0.2.33', '64:ff9b:0:0:0:0:c000:221'],
  ])('reads %s as %s', async (text, expected) => {
    expect(await scalar('ip_text(ip_key($text))', { text })).toBe(expected);
  });

  it.each(['999.1.1.1', '1.2.3', '4294967296', '1::2::3', '1:2:3:4:5:6:7:8:9', 'g::1', 'abc', '', '::ffff:1.2.3'])(
    'rejects %j',
    async (text) => {
      expect(await scalar('ip_key($text)', { text })).toBeNull();
    },
  );

  it('keeps IPv4 and IPv6 keys apart', async () => {
    expect(await scalar("ip_key('0.0.0.1') = ip_key('::1')")).toBe(false);
  });
});

describe('cidr_first and cidr_last', () => {
  it('spans an IPv4 block', async () => {
    expect(await scalar("ip_text(cidr_first('100.64.0.0/10')) || ' ' || ip_text(cidr_last('100.64.0.0/10'))")).toBe('100.64.0.0 100.127.255.255');
  });

  it('spans an IPv6 block', async () => {
    expect(await scalar("ip_text(cidr_last('fe80::/10'))")).toBe('febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff');
  });
});

describe('parse_time', () => {
  it.each([
    ['2013-03-03 21:53:59', 'UTC', '2013-03-03T21:53:59.000Z'],
    ['2013-03-03 21:53:59', 'Europe/Berlin', '2013-03-03T20:53:59.000Z'],
    ['2013-07-03 21:53:59', 'Europe/Berlin', '2013-07-03T19:53:59.000Z'],
    ['2021-06-06T15:57:37.123456+0200', 'UTC', '2021-06-06T13:57:37.123Z'],
    ['2025-02-18T04:23:26Z', 'America/New_York', '2025-02-18T04:23:26.000Z'],
    ['1361234567.5', 'Europe/Berlin', '2013-02-19T00:42:47.500Z'],
    ['1361234567123', 'UTC', '2013-02-19T00:42:47.123Z'],
  ])('reads %s in %s as %s', async (raw, zone, expected) => {
    const value = await scalar("strftime(parse_time($raw, $zone), '%Y-%m-%dT%H:%M:%S.%gZ')", { raw, zone });
    expect(value).toBe(expected);
  });

  it.each(['garbage', '', '-', '2013-13-45 10:00:00'])('returns NULL for %j', async (raw) => {
    expect(await scalar("parse_time($raw, 'UTC')", { raw })).toBeNull();
  });
});

describe('proto_name', () => {
  it.each([
    ['TCP', 'tcp'],
    ['6', 'tcp'],
    ['17', 'udp'],
    ['47', 'gre'],
    [' ICMP ', 'icmp'],
  ])('maps %j to %s', async (raw, expected) => {
    expect(await scalar('proto_name($raw)', { raw })).toBe(expected);
  });
});

describe('week_number and week_label', () => {
  it.each([
    ['1970-01-05 00:00:00+00', '1970-W02'],
    ['2025-02-24 00:00:00+00', '2025-W09'],
    ['2025-03-02 23:59:59.999999+00', '2025-W09'],
    ['2024-12-30 00:00:00+00', '2025-W01'],
    ['2021-01-03 12:00:00+00', '2020-W53'],
    ['2026-12-31 23:59:59+00', '2026-W53'],
  ])('places %s in %s', async (time, expected) => {
    expect(await scalar('week_label(week_number($time::TIMESTAMPTZ))', { time })).toBe(expected);
  });

  it('numbers consecutive weeks from Monday 1970-01-05', async () => {
    expect(await scalar("week_number(TIMESTAMPTZ '1970-01-05 00:00:00+00')")).toBe('0');
    expect(await scalar("week_number(TIMESTAMPTZ '1970-01-11 23:59:59+00')")).toBe('0');
    expect(await scalar("week_number(TIMESTAMPTZ '1970-01-12 00:00:00+00')")).toBe('1');
    expect(await scalar("week_number(TIMESTAMPTZ '2025-02-24 00:00:00+00') - week_number(TIMESTAMPTZ '2025-02-23 23:59:59+00')")).toBe('1');
  });

  it('agrees with the ISO week of every day of two years', async () => {
    const mismatches = await scalar(
      `(SELECT count(*)::INTEGER FROM range(TIMESTAMPTZ '2024-12-01 00:00:00+00', TIMESTAMPTZ '2027-01-10 00:00:00+00', INTERVAL 7 HOUR) AS t(ts)
        WHERE week_label(week_number(ts)) <> strftime(ts, '%G-W%V'))`,
    );
    expect(mismatches).toBe(0);
  });
});
