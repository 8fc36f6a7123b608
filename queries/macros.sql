-- Helpers for turning archive text into canonical values. Every address is
-- stored as one 128-bit number (UHUGEINT): IPv6 as itself and IPv4 as its
-- IPv4-mapped IPv6 form ::ffff:a.b.c.d, so one ordered key serves both
-- families in range joins and distinct counts.

-- The first key of ::ffff:0:0/96, where IPv4 addresses live.
CREATE OR REPLACE MACRO ipv4_base() AS 281470681743360::UHUGEINT;

-- The macros below use each argument once. A value needed twice is first
-- bound to a lambda parameter (list_transform([value], lambda x: ...)[1]),
-- because DuckDB expands a macro argument at every place it appears. Nested
-- macros that repeat their arguments grow exponentially and take seconds to plan.

-- Dotted-quad text such as '61.131.218.218' to its 32-bit value; NULL when invalid.
CREATE OR REPLACE MACRO ipv4_text_to_int(s) AS
    list_transform([s], lambda t:
        CASE WHEN regexp_full_match(t, '\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}') THEN
            list_transform([list_transform(string_split(t, '.'), lambda o: o::UBIGINT)], lambda q:
                CASE WHEN list_max(q) <= 255 THEN q[1] * 16777216 + q[2] * 65536 + q[3] * 256 + q[4] END)[1]
        END)[1];

-- An unsigned 32-bit integer written in decimal, as some archives store IPv4
-- sources. A zero fraction ('1032051418.0') is allowed, because parquet files
-- whose address columns differ in type are unified to DOUBLE.
CREATE OR REPLACE MACRO ipv4_decimal_to_int(s) AS
    list_transform([regexp_extract(s, '^(\d{1,10})(\.0+)?$', 1)], lambda t:
        CASE WHEN t <> '' AND t::UBIGINT <= 4294967295 THEN t::UBIGINT END)[1];

-- An IPv6 text whose last 32 bits are written as a dotted quad (::ffff:1.2.3.4)
-- rewritten with two hex groups, so the group parser gets only hex groups.
CREATE OR REPLACE MACRO ipv6_hex_tail(s) AS
    list_transform([s], lambda t:
        CASE WHEN NOT contains(t, '.') THEN t
             ELSE list_transform([ipv4_text_to_int(regexp_extract(t, '[^:]*$'))], lambda n:
                      regexp_replace(t, '[^:]*$', '') || printf('%x:%x', n // 65536, n % 65536))[1]
        END)[1];

-- The hex groups of an IPv6 text on each side of '::' (the right side is
-- NULL when there is no '::').
CREATE OR REPLACE MACRO ipv6_sides(t) AS
    list_transform([string_split(t, '::')], lambda halves:
        CASE WHEN len(halves) = 1 THEN [string_split(t, ':'), NULL]
             WHEN len(halves) = 2 THEN [CASE WHEN halves[1] = '' THEN [] ELSE string_split(halves[1], ':') END,
                                        CASE WHEN halves[2] = '' THEN [] ELSE string_split(halves[2], ':') END]
        END)[1];

-- The eight hex groups of an IPv6 text with '::' expanded; NULL when malformed.
CREATE OR REPLACE MACRO ipv6_groups(t) AS
    list_transform([ipv6_sides(t)], lambda sides:
        CASE WHEN sides IS NULL THEN NULL
             WHEN sides[2] IS NULL THEN CASE WHEN len(sides[1]) = 8 THEN sides[1] END
             WHEN len(sides[1]) + len(sides[2]) <= 7 THEN
                  list_concat(sides[1], list_transform(range(8 - len(sides[1]) - len(sides[2])), lambda z: '0'), sides[2])
        END)[1];

-- IPv6 text to its 128-bit value; NULL when malformed. A zone index (%eth0) is dropped.
CREATE OR REPLACE MACRO ipv6_text_to_key(s) AS
    list_transform([ipv6_groups(ipv6_hex_tail(lower(split_part(s, '%', 1))))], lambda g:
        CASE WHEN list_bool_and(list_transform(g, lambda x: regexp_full_match(x, '[0-9a-f]{1,4}'))) THEN
             list_reduce(list_transform(g, lambda x: ('0x' || x)::INTEGER::UHUGEINT),
                         lambda acc, x: acc * 65536::UHUGEINT + x)
        END)[1];

-- Any source-address text (dotted IPv4, decimal IPv4, IPv6) to its key; NULL when invalid.
CREATE OR REPLACE MACRO ip_key(s) AS
    list_transform([s], lambda t:
        CASE WHEN t IS NULL THEN NULL
             WHEN contains(t, ':') THEN ipv6_text_to_key(t)
             WHEN contains(t, '.') THEN ipv4_base() + ipv4_text_to_int(t)
             ELSE ipv4_base() + ipv4_decimal_to_int(t)
        END)[1];

CREATE OR REPLACE MACRO is_ipv4_key(k) AS k BETWEEN ipv4_base() AND ipv4_base() + 4294967295;

-- A key back to text: IPv4 as a dotted quad, IPv6 as eight lower-case hex groups.
-- NOTE: IPv6 text is not compressed with '::' (RFC 5952); it is unambiguous and sorts as text.
CREATE OR REPLACE MACRO ip_text(k) AS
    list_transform([k], lambda key:
        CASE WHEN is_ipv4_key(key) THEN
                  list_transform([(key - ipv4_base())::UBIGINT], lambda v:
                      concat_ws('.', v // 16777216, v // 65536 % 256, v // 256 % 256, v % 256))[1]
             ELSE array_to_string(list_transform(range(7, -1, -1),
                      lambda i: printf('%x', (key >> (16 * i)::UHUGEINT) % 65536)), ':')
        END)[1];

-- Parquet has no 128-bit integer, so range tables are cached as two 64-bit halves.
CREATE OR REPLACE MACRO key_from_halves(hi, lo) AS (hi::UHUGEINT << 64) | lo::UHUGEINT;

-- A CIDR block ('10.0.0.0/8', 'fe80::/10') to its first and last key.
CREATE OR REPLACE MACRO cidr_size(c) AS
    1::UHUGEINT << (CASE WHEN contains(c, ':') THEN 128 ELSE 32 END - split_part(c, '/', 2)::INTEGER)::UHUGEINT;
CREATE OR REPLACE MACRO cidr_first(c) AS
    list_transform([c], lambda b: ip_key(split_part(b, '/', 1)) & ~(cidr_size(b) - 1))[1];
CREATE OR REPLACE MACRO cidr_last(c) AS
    list_transform([c], lambda b: cidr_first(b) + (cidr_size(b) - 1))[1];

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

-- Protocols without ports. Archives still fill the port column for some of
-- them: Zeek and Argus write the ICMP code there, so it is dropped. False
-- for NULL (an unknown protocol keeps its port).
CREATE OR REPLACE MACRO proto_lacks_ports(p) AS
    p IS NOT NULL AND p IN ('icmp', 'ipv6-icmp', 'icmp6', 'igmp', 'gre', 'esp', 'ah', 'ipv6', 'ospf', 'pim', 'vrrp');

-- The text of one JSON value: a string without its quotes, a number as
-- written, NULL for JSON null. MongoDB extended JSON wrappers such as
-- {"$date": "2025-02-12T08:28:02Z"}, {"$date": {"$numberLong": "1739348882000"}}
-- and {"$numberInt": "22"} are unwrapped to the value they hold.
CREATE OR REPLACE MACRO json_value_text(v) AS
    list_transform([v], lambda x:
        CASE WHEN json_type(x) = 'OBJECT' THEN coalesce(
                  json_extract_string(x, '$."$date"."$numberLong"'),
                  json_extract_string(x, '$."$date"'),
                  json_extract_string(x, '$."$numberInt"'),
                  json_extract_string(x, '$."$numberLong"'),
                  json_extract_string(x, '$."$numberDouble"'),
                  x::VARCHAR)
             ELSE json_extract_string(x, '$')
        END)[1];

-- A time text to UTC. Epoch seconds (or milliseconds, above 1e11) are UTC by
-- definition. Text with an offset or Z keeps its offset. Text without one is
-- read in the source's configured zone `tz`. NULL when unparseable.
CREATE OR REPLACE MACRO parse_time(raw, tz) AS
    CASE WHEN raw IS NULL OR trim(raw) IN ('', '-') THEN NULL
         WHEN regexp_full_match(trim(raw), '\d{1,13}(\.\d+)?') THEN
              CASE WHEN trim(raw)::DOUBLE > 1e11 THEN to_timestamp(trim(raw)::DOUBLE / 1000)
                   ELSE to_timestamp(trim(raw)::DOUBLE) END
         WHEN regexp_matches(trim(raw), '[T ]\d{2}:\d{2}.*(Z|[+-]\d{2}(:?\d{2})?)$') THEN TRY_CAST(trim(raw) AS TIMESTAMPTZ)
         ELSE timezone(tz, TRY_CAST(trim(raw) AS TIMESTAMP))
    END;

-- The ISO week of a time as a number: weeks since Monday 1970-01-05 00:00
-- UTC. Integer arithmetic on the epoch costs less per row than
-- date_trunc('week', ...) on a TIMESTAMPTZ, which goes through the ICU
-- calendar (measured here: 60 ms less CPU time per ten million rows).
-- Division truncates toward zero, so the week before the anchor shares
-- week 0 with it. Such times are before 1990 and rejected whatever their week.
CREATE OR REPLACE MACRO week_number(ts) AS (epoch_us(ts) - 345600000000) // 604800000000;

-- The 'YYYY-Www' label of a week number from week_number.
CREATE OR REPLACE MACRO week_label(week_num) AS strftime(make_timestamp(week_num * 604800000000 + 345600000000), '%G-W%V');
