-- Part of the weekly table: per client, report week, source country,
-- destination port and source network (autonomous system and the
-- organisation name of its range), the sessions and distinct sources.
-- Only located sessions with a network count, scanners left out as in
-- port_weeks.sql. An address lies in one range, so it has one
-- organisation name, and the distinct sources of a network are the sum
-- over its names.
-- Parameters: $week ('YYYY-Www').
CREATE OR REPLACE TEMP TABLE network_weeks AS
SELECT
    client,
    week,
    country,
    dst_port AS port,
    asn,
    as_org,
    sum(sessions)::BIGINT AS sessions,
    count(DISTINCT ip_key)::BIGINT AS sources
FROM weekly_sources
WHERE week = $week AND geo_status = 'country' AND scanner IS NULL AND asn IS NOT NULL AND dst_port IS NOT NULL
GROUP BY ALL;
