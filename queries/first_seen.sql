-- The first time, anywhere in the archive before the report week, that each
-- of a client's top ports was targeted from the same country, for every
-- brief's client with earlier data (brief_clients.earlier). A top port with
-- no row here is new to the archive for that country. Only earlier sessions
-- on candidate ports are located, which keeps this far cheaper than the
-- weekly enrichment.
-- Parameters: $week, $from (the week's start), $ports (top N).
WITH candidates AS (
    SELECT w.client, w.country, w.port
    FROM weekly_ports AS w
    SEMI JOIN shown_countries AS c ON c.client = w.client AND c.country = w.country
    SEMI JOIN brief_clients AS b ON b.client = w.client AND b.earlier
    WHERE w.week = $week AND w.rank <= $ports
),
earlier AS (
    SELECT c.client, s.ip_key, s.dst_port, min(s.ts) AS ts
    FROM sessions_all AS s
    JOIN sensor_clients AS c ON c.source = s.source AND c.sensor = s.sensor
    SEMI JOIN (SELECT DISTINCT client, port FROM candidates) AS p ON p.client = c.client AND p.port = s.dst_port
    WHERE s.reject_reason IS NULL AND s.ts < $from::TIMESTAMPTZ
    GROUP BY ALL
)
SELECT e.client, g.country, e.dst_port::INTEGER AS port, strftime(min(e.ts), '%Y-%m-%d') AS first_day
FROM earlier AS e
ASOF JOIN geo_ranges AS g ON e.ip_key >= g.start_key
SEMI JOIN candidates AS p ON p.client = e.client AND p.country = g.country AND p.port = e.dst_port
WHERE g.end_key >= e.ip_key
GROUP BY ALL;
