-- Gives every accepted session of the report window its client (from
-- sensor_clients), its source country and its source network (autonomous
-- system). A session of a sensor shared by several clients appears once per
-- client.
-- The range joins are ASOF joins: each session takes the range with the
-- greatest start at or below its address, and the range counts only when the
-- address is also at or below the range's end. geo_status is 'country' when a
-- country was found, the special block's label (private, loopback, ...) or
-- 'unknown' when the database does not cover the address. A special-purpose
-- address gets neither a country nor a network. asn and as_org are NULL when
-- no ASN database is configured (asn_ranges is then empty) or it does not
-- cover the address. scanner names the known scanner network (from the
-- config) the address belongs to, if any.
--
-- Parameters: $from, $to (TIMESTAMPTZ text): the window, end exclusive.
CREATE OR REPLACE TEMP TABLE sessions AS
SELECT
    c.client,
    s.ts,
    s.ip_key,
    s.src_ip,
    s.dst_port,
    s.proto,
    s.sensor,
    s.source,
    s.file,
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
FROM (
    SELECT * FROM sessions_all
    WHERE reject_reason IS NULL AND ts >= $from::TIMESTAMPTZ AND ts < $to::TIMESTAMPTZ
) AS s
JOIN sensor_clients AS c ON c.source = s.source AND c.sensor = s.sensor
ASOF LEFT JOIN geo_ranges AS g ON s.ip_key >= g.start_key
ASOF LEFT JOIN asn_ranges AS a ON s.ip_key >= a.start_key
ASOF LEFT JOIN special_ranges AS sp ON s.ip_key >= sp.start_key
ASOF LEFT JOIN scanner_ranges AS sc ON s.ip_key >= sc.start_key;
