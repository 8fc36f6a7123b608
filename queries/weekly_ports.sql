-- The weekly table (country totals come from country_weeks.sql): per client, ISO week (Monday 00:00 to Sunday 24:00 UTC),
-- source country and destination port, the sessions, the distinct source
-- addresses and the port's share of all the country's sessions that week.
-- Sessions without a port (ICMP, GRE) count in the country's totals, not as
-- a port. Sessions from known scanner networks are left out of both.
-- Ports are ranked by $rank_by ('sessions' or 'sources'), then by the other
-- count (both descending), then by port number, so every rank is unique.
CREATE OR REPLACE TEMP TABLE weekly_ports AS
WITH port_weeks AS (
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
    GROUP BY ALL
)
SELECT
    p.client,
    p.week,
    p.country,
    p.port,
    p.sessions,
    p.sources,
    p.udp_sessions,
    p.sessions / c.sessions AS share,
    row_number() OVER (
        PARTITION BY p.client, p.week, p.country
        ORDER BY CASE WHEN $rank_by = 'sources' THEN p.sources ELSE p.sessions END DESC,
                 CASE WHEN $rank_by = 'sources' THEN p.sessions ELSE p.sources END DESC,
                 p.port ASC
    ) AS rank
FROM port_weeks AS p
JOIN country_weeks AS c USING (client, week, country);
