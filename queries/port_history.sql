-- Every week of the analysis window for the ports in a shown country's top
-- 20 this week: rank, sessions, sources, share and UDP sessions. Baselines,
-- surges, trends and clusters are computed from these rows.
-- Parameters: $client, $week, $weeks (the window's weeks), $countries (shown countries).
WITH candidates AS (
    SELECT country, port FROM weekly_ports
    WHERE client = $client AND week = $week AND rank <= 20 AND list_contains($countries, country)
)
SELECT
    w.country,
    w.port::INTEGER AS port,
    w.week,
    w.rank::INTEGER AS rank,
    w.sessions::INTEGER AS sessions,
    w.sources::INTEGER AS sources,
    w.udp_sessions::INTEGER AS udp_sessions,
    w.share::DOUBLE AS share
FROM weekly_ports AS w
JOIN candidates USING (country, port)
WHERE w.client = $client AND list_contains($weeks, w.week)
ORDER BY w.country, w.port, w.week;
