-- Every week of the analysis window for the ports in a shown country's top
-- 20 this week, for every brief's client: rank, sessions, sources, share and
-- UDP sessions. Baselines, surges, trends and clusters are computed from
-- these rows.
-- Parameters: $week, $weeks (the window's weeks).
WITH candidates AS (
    SELECT w.client, w.country, w.port
    FROM weekly_ports AS w
    SEMI JOIN shown_countries AS c ON c.client = w.client AND c.country = w.country
    WHERE w.week = $week AND w.rank <= 20
)
SELECT
    w.client,
    w.country,
    w.port::INTEGER AS port,
    w.week,
    w.rank::INTEGER AS rank,
    w.sessions::INTEGER AS sessions,
    w.sources::INTEGER AS sources,
    w.udp_sessions::INTEGER AS udp_sessions,
    w.share::DOUBLE AS share
FROM weekly_ports AS w
JOIN candidates USING (client, country, port)
WHERE list_contains($weeks, w.week)
ORDER BY w.client, w.country, w.port, w.week;
