-- The top N ports of each given country in the report week, with the port's
-- rank in the previous week. A port is a new entrant when it is in this
-- week's top N and was not in the country's top N the previous week. That
-- comparison is only made when the archive has sessions in the previous week.
-- Parameters: $client, $week, $previous ('YYYY-Www'), $ports (N), $countries (list of codes).
WITH previous_has_data AS (
    SELECT count(*) > 0 AS available FROM country_weeks WHERE client = $client AND week = $previous
)
SELECT
    w.country,
    w.rank::INTEGER AS rank,
    w.port::INTEGER AS port,
    w.sessions::INTEGER AS sessions,
    w.sources::INTEGER AS sources,
    w.share::DOUBLE AS share,
    p.rank::INTEGER AS previous_rank,
    (SELECT available FROM previous_has_data) AND (p.rank IS NULL OR p.rank > $ports) AS new_entrant,
    coalesce(s.service, '') AS service,
    coalesce(s.status, 'unassigned') AS registry_status
FROM weekly_ports AS w
LEFT JOIN weekly_ports AS p ON p.client = w.client AND p.week = $previous AND p.country = w.country AND p.port = w.port
LEFT JOIN port_services AS s ON s.port = w.port
WHERE w.client = $client AND w.week = $week AND w.rank <= $ports AND list_contains($countries, w.country)
ORDER BY w.country, w.rank;
