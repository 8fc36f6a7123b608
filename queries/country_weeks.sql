-- Per client, ISO week and source country: sessions and distinct source
-- addresses, all ports and port-less sessions together, known scanner
-- networks left out. Shares in weekly_ports.sql are fractions of these.
CREATE OR REPLACE TEMP TABLE country_weeks AS
SELECT
    client,
    isoyear(ts) || '-W' || lpad(week(ts)::VARCHAR, 2, '0') AS week,
    country,
    count(*)::BIGINT AS sessions,
    count(DISTINCT ip_key)::BIGINT AS sources
FROM sessions
WHERE geo_status = 'country' AND scanner IS NULL
GROUP BY ALL;
