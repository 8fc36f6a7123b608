-- Part of the weekly table: per client, ISO week and source country, the
-- sessions and distinct source addresses, all ports and port-less sessions
-- together, known scanner networks left out. Shares in weekly_ports.sql are
-- fractions of these.
CREATE OR REPLACE TEMP TABLE country_weeks AS
SELECT
    client,
    week,
    country,
    sum(sessions)::BIGINT AS sessions,
    count(DISTINCT ip_key)::BIGINT AS sources
FROM weekly_sources
WHERE geo_status = 'country' AND scanner IS NULL
GROUP BY ALL;
