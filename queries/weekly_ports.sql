-- The weekly table: per client, ISO week (Monday 00:00 to Sunday 24:00 UTC),
-- source country and destination port, the sessions, the distinct source
-- addresses and the port's share of all the country's sessions that week.
-- Sessions without a port (ICMP, GRE) count in the country's totals, not as
-- a port. Ports are ranked by sessions, then distinct sources (both
-- descending), then port number (ascending), so every rank is unique.
CREATE OR REPLACE TEMP TABLE country_weeks AS
SELECT
    client,
    isoyear(ts) || '-W' || lpad(week(ts)::VARCHAR, 2, '0') AS week,
    country,
    count(*)::BIGINT AS sessions,
    count(DISTINCT ip_key)::BIGINT AS sources
FROM sessions
WHERE geo_status = 'country'
GROUP BY ALL;

CREATE OR REPLACE TEMP TABLE weekly_ports AS
WITH port_weeks AS (
    SELECT
        client,
        isoyear(ts) || '-W' || lpad(week(ts)::VARCHAR, 2, '0') AS week,
        country,
        dst_port AS port,
        count(*)::BIGINT AS sessions,
        count(DISTINCT ip_key)::BIGINT AS sources
    FROM sessions
    WHERE geo_status = 'country' AND dst_port IS NOT NULL
    GROUP BY ALL
)
SELECT
    p.client,
    p.week,
    p.country,
    p.port,
    p.sessions,
    p.sources,
    p.sessions / c.sessions AS share,
    row_number() OVER (PARTITION BY p.client, p.week, p.country ORDER BY p.sessions DESC, p.sources DESC, p.port ASC) AS rank
FROM port_weeks AS p
JOIN country_weeks AS c USING (client, week, country);
