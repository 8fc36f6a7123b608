-- The first time, anywhere in the archive before the report week, that each
-- of a client's top ports was targeted from the same country. A top port with
-- no row here is new to the archive for that country. Only earlier sessions
-- on candidate ports are located, which keeps this far cheaper than the
-- weekly enrichment.
-- Parameters: $client, $week, $from (the week's start), $ports (top N), $countries.
WITH candidates AS (
    SELECT country, port FROM weekly_ports
    WHERE client = $client AND week = $week AND rank <= $ports AND list_contains($countries, country)
),
earlier AS (
    SELECT s.ip_key, s.dst_port, s.ts
    FROM sessions_all AS s
    JOIN sensor_clients AS c ON c.source = s.source AND c.sensor = s.sensor AND c.client = $client
    WHERE s.reject_reason IS NULL AND s.ts < $from::TIMESTAMPTZ AND s.dst_port IN (SELECT port FROM candidates)
)
SELECT g.country, e.dst_port::INTEGER AS port, strftime(min(e.ts), '%Y-%m-%d') AS first_day
FROM earlier AS e
ASOF JOIN geo_ranges AS g ON e.ip_key >= g.start_key
WHERE g.end_key >= e.ip_key AND (g.country, e.dst_port) IN (SELECT (country, port) FROM candidates)
GROUP BY ALL;
