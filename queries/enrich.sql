-- Builds weekly_sources: for every client, ISO week of the report window,
-- source address, destination port and protocol, the accepted sessions and
-- where the address is (its country and network). A sensor shared by
-- several clients counts for each of them.
--
-- Sessions are first counted per client, week, address, port and protocol
-- (client_counts). Scanners repeat the same address and port many times, so
-- the later joins and every weekly query work on far fewer rows than the
-- archive contains. The range joins run once per distinct address
-- (window_addresses).
--
-- The range joins are ASOF joins: each address takes the range with the
-- greatest start at or below it, and the range counts only when the
-- address is also at or below the range's end. geo_status is 'country' when
-- a country was found, the special block's label (private, loopback, ...) or
-- 'unknown' when the database does not cover the address. A special-purpose
-- address gets neither a country nor a network. asn and as_org are NULL when
-- no ASN database is configured (asn_ranges is then empty) or it does not
-- cover the address. scanner names the known scanner network (from the
-- config) the address belongs to, if any. week is 'YYYY-Www' (Monday 00:00
-- to Sunday 24:00 UTC).
--
-- Parameters: $from, $to (TIMESTAMPTZ text): the window, end exclusive. Both
-- are week starts, so a grouped row of sessions_all (see canonical.sql) lies
-- wholly inside or outside the window, whichever of its times ts is.

-- Weeks are counted by week_number (macros.sql), and weekly_sources names
-- each week number 'YYYY-Www' once.
CREATE OR REPLACE TEMP TABLE client_counts AS
SELECT c.client, week_number(s.ts) AS week_number, s.ip_key, s.dst_port, s.proto, sum(s.sessions)::BIGINT AS sessions
FROM sessions_all AS s
JOIN sensor_clients AS c ON c.source = s.source AND c.sensor = s.sensor
WHERE s.reject_reason IS NULL AND s.ts >= $from::TIMESTAMPTZ AND s.ts < $to::TIMESTAMPTZ
GROUP BY ALL;

CREATE OR REPLACE TEMP TABLE window_addresses AS
SELECT
    s.ip_key,
    CASE WHEN sp.end_key >= s.ip_key THEN NULL
         WHEN g.end_key >= s.ip_key THEN g.country END AS country,
    CASE WHEN sp.end_key >= s.ip_key THEN sp.label
         WHEN g.end_key >= s.ip_key THEN 'country'
         ELSE 'unknown' END AS geo_status,
    CASE WHEN sp.end_key >= s.ip_key THEN NULL
         WHEN a.end_key >= s.ip_key THEN a.asn END AS asn,
    CASE WHEN sp.end_key >= s.ip_key THEN NULL
         WHEN a.end_key >= s.ip_key THEN a.as_org END AS as_org,
    CASE WHEN sc.end_key >= s.ip_key THEN sc.name END AS scanner
FROM (SELECT DISTINCT ip_key FROM client_counts) AS s
ASOF LEFT JOIN geo_ranges AS g ON s.ip_key >= g.start_key
ASOF LEFT JOIN asn_ranges AS a ON s.ip_key >= a.start_key
ASOF LEFT JOIN special_ranges AS sp ON s.ip_key >= sp.start_key
ASOF LEFT JOIN scanner_ranges AS sc ON s.ip_key >= sc.start_key;

CREATE OR REPLACE TEMP TABLE weekly_sources AS
WITH weeks AS (
    SELECT week_number, week_label(week_number) AS week
    FROM (SELECT DISTINCT week_number FROM client_counts)
)
SELECT
    client,
    k.week,
    ip_key,
    dst_port,
    proto,
    sessions,
    w.country,
    w.geo_status,
    w.asn,
    w.as_org,
    w.scanner
FROM client_counts
JOIN window_addresses AS w USING (ip_key)
JOIN weeks AS k USING (week_number);

DROP TABLE client_counts;
