-- Part of the weekly table: per client, ISO week (Monday 00:00 to Sunday
-- 24:00 UTC), source country and destination port, the sessions, the
-- distinct source addresses and the UDP sessions. Sessions without a port
-- (ICMP, GRE) count only in country_weeks. Sessions from known scanner
-- networks are left out. A plain aggregate over the located sessions, so a
-- distributed engine can run it over the parquet lake (docs/scaling.md).
CREATE OR REPLACE TEMP TABLE port_weeks AS
SELECT
    client,
    week,
    country,
    dst_port AS port,
    sum(sessions)::BIGINT AS sessions,
    count(DISTINCT ip_key)::BIGINT AS sources,
    coalesce(sum(sessions) FILTER (WHERE proto = 'udp'), 0)::BIGINT AS udp_sessions
FROM weekly_sources
WHERE geo_status = 'country' AND scanner IS NULL AND dst_port IS NOT NULL
GROUP BY ALL;
