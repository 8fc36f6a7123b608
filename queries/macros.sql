-- Helpers for turning archive text into canonical values. Every address is
-- stored as one 128-bit number (UHUGEINT): IPv6 as itself and IPv4 as its
-- IPv4-mapped IPv6 form ::ffff:a.b.c.d, so one ordered key serves both
-- families in range joins and distinct counts.

-- The first key of ::ffff:0:0/96, where IPv4 addresses live.
CREATE OR REPLACE MACRO ipv4_base() AS 281470681743360::UHUGEINT;

-- Dotted-quad text such as '61.131.218.218' to its 32-bit value; NULL when invalid.
CREATE OR REPLACE MACRO ipv4_text_to_int(s) AS
    CASE WHEN regexp_full_match(s, '\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}')
          AND list_max(list_transform(string_split(s, '.'), o -> o::UINTEGER)) <= 255
         THEN list_reduce(list_transform(string_split(s, '.'), o -> o::UBIGINT), (acc, o) -> acc * 256 + o)
    END;

-- An unsigned 32-bit integer written in decimal, as some archives store IPv4 sources.
CREATE OR REPLACE MACRO ipv4_decimal_to_int(s) AS
    CASE WHEN regexp_full_match(s, '\d{1,10}') AND s::UBIGINT <= 4294967295 THEN s::UBIGINT END;

-- An IPv6 text whose last 32 bits are written as a dotted quad (::ffff:1.2.3.4)
-- rewritten with two hex groups, so the parser below sees only hex groups.
CREATE OR REPLACE MACRO ipv6_hex_tail(s) AS
    CASE WHEN NOT contains(s, '.') THEN s
         WHEN ipv4_text_to_int(regexp_extract(s, '[^:]*$')) IS NULL THEN NULL
         ELSE regexp_replace(s, '[^:]*$', '') ||
              printf('%x:%x', ipv4_text_to_int(regexp_extract(s, '[^:]*$')) // 65536,
                               ipv4_text_to_int(regexp_extract(s, '[^:]*$')) % 65536)
    END;

-- The eight hex groups of an IPv6 text with '::' expanded; NULL when malformed.
CREATE OR REPLACE MACRO ipv6_groups_of(s, halves) AS
    CASE WHEN len(halves) = 1 AND len(string_split(s, ':')) = 8 THEN string_split(s, ':')
         WHEN len(halves) = 2
          AND len(CASE WHEN halves[1] = '' THEN [] ELSE string_split(halves[1], ':') END)
            + len(CASE WHEN halves[2] = '' THEN [] ELSE string_split(halves[2], ':') END) <= 7
         THEN list_concat(
                  CASE WHEN halves[1] = '' THEN [] ELSE string_split(halves[1], ':') END,
                  list_transform(range(8 - len(CASE WHEN halves[1] = '' THEN [] ELSE string_split(halves[1], ':') END)
                                         - len(CASE WHEN halves[2] = '' THEN [] ELSE string_split(halves[2], ':') END)),
                                 x -> '0'),
                  CASE WHEN halves[2] = '' THEN [] ELSE string_split(halves[2], ':') END)
    END;

CREATE OR REPLACE MACRO ipv6_groups(s) AS ipv6_groups_of(s, string_split(s, '::'));

-- IPv6 text to its 128-bit value; NULL when malformed. A zone index (%eth0) is dropped.
CREATE OR REPLACE MACRO ipv6_text_to_key(s) AS
    CASE WHEN list_bool_and(list_transform(ipv6_groups(ipv6_hex_tail(lower(split_part(s, '%', 1)))),
                                           g -> regexp_full_match(g, '[0-9a-f]{1,4}')))
         THEN list_reduce(list_transform(ipv6_groups(ipv6_hex_tail(lower(split_part(s, '%', 1)))),
                                         g -> ('0x' || g)::INTEGER::UHUGEINT),
                          (acc, g) -> acc * 65536::UHUGEINT + g)
    END;

-- Any source-address text (dotted IPv4, decimal IPv4, IPv6) to its key; NULL when invalid.
CREATE OR REPLACE MACRO ip_key(s) AS
    CASE WHEN s IS NULL THEN NULL
         WHEN contains(s, ':') THEN ipv6_text_to_key(s)
         WHEN contains(s, '.') THEN ipv4_base() + ipv4_text_to_int(s)
         ELSE ipv4_base() + ipv4_decimal_to_int(s)
    END;

CREATE OR REPLACE MACRO is_ipv4_key(k) AS k >= ipv4_base() AND k <= ipv4_base() + 4294967295;

-- A key back to text: IPv4 as a dotted quad, IPv6 as eight lower-case hex groups.
-- NOTE: IPv6 text is not compressed with '::' (RFC 5952); it is unambiguous and sorts as text.
CREATE OR REPLACE MACRO ip_text(k) AS
    CASE WHEN is_ipv4_key(k) THEN
              concat_ws('.', (k - ipv4_base()) // 16777216, (k - ipv4_base()) // 65536 % 256,
                             (k - ipv4_base()) // 256 % 256, (k - ipv4_base()) % 256)
         ELSE array_to_string(list_transform(range(7, -1, -1),
                  i -> printf('%x', (k >> (16 * i)::UHUGEINT) % 65536)), ':')
    END;

-- Parquet has no 128-bit integer, so range tables are cached as two 64-bit halves.
CREATE OR REPLACE MACRO key_from_halves(hi, lo) AS (hi::UHUGEINT << 64) | lo::UHUGEINT;

-- A CIDR block ('10.0.0.0/8', 'fe80::/10') to its first and last key.
CREATE OR REPLACE MACRO cidr_first(c) AS
    ip_key(split_part(c, '/', 1)) & ~((1::UHUGEINT << (
        CASE WHEN contains(c, ':') THEN 128 ELSE 32 END - split_part(c, '/', 2)::INTEGER)::UHUGEINT) - 1);
CREATE OR REPLACE MACRO cidr_last(c) AS
    cidr_first(c) + ((1::UHUGEINT << (
        CASE WHEN contains(c, ':') THEN 128 ELSE 32 END - split_part(c, '/', 2)::INTEGER)::UHUGEINT) - 1);

-- Protocol names and IANA protocol numbers to lower-case names.
CREATE OR REPLACE MACRO proto_name(p) AS
    CASE lower(trim(p))
        WHEN '' THEN NULL
        WHEN '1' THEN 'icmp' WHEN '6' THEN 'tcp' WHEN '17' THEN 'udp' WHEN '41' THEN 'ipv6'
        WHEN '47' THEN 'gre' WHEN '50' THEN 'esp' WHEN '58' THEN 'ipv6-icmp' WHEN '132' THEN 'sctp'
        ELSE lower(trim(p))
    END;

-- Protocols whose sessions always carry a destination port.
CREATE OR REPLACE MACRO proto_has_ports(p) AS p IN ('tcp', 'udp', 'sctp');

-- A time text to UTC. Epoch seconds (or milliseconds past 1e11) are UTC by
-- definition; text with an offset or Z keeps its offset; text without one is
-- read in the source's configured zone `tz`. NULL when unparseable.
CREATE OR REPLACE MACRO parse_time(raw, tz) AS
    CASE WHEN raw IS NULL OR trim(raw) IN ('', '-') THEN NULL
         WHEN regexp_full_match(trim(raw), '\d{1,13}(\.\d+)?') THEN
              CASE WHEN trim(raw)::DOUBLE > 1e11 THEN to_timestamp(trim(raw)::DOUBLE / 1000)
                   ELSE to_timestamp(trim(raw)::DOUBLE) END
         WHEN regexp_matches(trim(raw), '[T ]\d{2}:\d{2}.*(Z|[+-]\d{2}(:?\d{2})?)$') THEN TRY_CAST(trim(raw) AS TIMESTAMPTZ)
         ELSE timezone(tz, TRY_CAST(trim(raw) AS TIMESTAMP))
    END;
