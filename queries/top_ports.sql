-- The top N ports of each shown country (shown_countries) in the report
-- week, for every brief's client, with the port's rank in the previous week.
-- A port is a new entrant when it is in this week's top N and was not in the
-- country's top N the previous week. That comparison is only made when the
-- client has sessions in the previous week. A port whose sessions that week
-- were mostly UDP takes the registry's UDP name, where it has one.
-- Parameters: $week, $previous ('YYYY-Www'), $ports (N).
WITH previous_has_data AS (
    SELECT DISTINCT client FROM country_weeks WHERE week = $previous
)
SELECT
    w.client,
    w.country,
    w.rank::INTEGER AS rank,
    w.port::INTEGER AS port,
    w.sessions::INTEGER AS sessions,
    w.sources::INTEGER AS sources,
    w.share::DOUBLE AS share,
    p.rank::INTEGER AS previous_rank,
    h.client IS NOT NULL AND (p.rank IS NULL OR p.rank > $ports) AS new_entrant,
    coalesce(nullif(CASE WHEN w.udp_sessions * 2 > w.sessions THEN s.udp_service END, ''), s.service, '') AS service,
    coalesce(s.status, 'unassigned') AS registry_status
FROM weekly_ports AS w
SEMI JOIN shown_countries AS c ON c.client = w.client AND c.country = w.country
LEFT JOIN weekly_ports AS p ON p.client = w.client AND p.week = $previous AND p.country = w.country AND p.port = w.port
LEFT JOIN previous_has_data AS h ON h.client = w.client
LEFT JOIN port_services AS s ON s.port = w.port
WHERE w.week = $week AND w.rank <= $ports
ORDER BY w.client, w.country, w.rank;
