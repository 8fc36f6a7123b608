-- When each brief's client has accepted sessions: the first and last
-- session of the report week and of the previous week, and the first
-- session of the whole archive. The brief warns when a week is only partly
-- covered, and gives the archive's first day for "first seen" findings.
-- Times are ISO 8601 UTC text; NULL where the client has no session.
-- Parameters: $previous_from, $from, $to (TIMESTAMPTZ text): the previous
-- week's start, the report week's start and its end (exclusive).
WITH client_sessions AS (
    SELECT c.client, s.ts, s.last_ts
    FROM sessions_all AS s
    JOIN sensor_clients AS c ON c.source = s.source AND c.sensor = s.sensor
    WHERE s.reject_reason IS NULL
),
spans AS (
    SELECT
        client,
        min(ts) AS archive_first,
        min(ts) FILTER (WHERE ts >= $from::TIMESTAMPTZ AND ts < $to::TIMESTAMPTZ) AS week_first,
        max(last_ts) FILTER (WHERE ts >= $from::TIMESTAMPTZ AND ts < $to::TIMESTAMPTZ) AS week_last,
        min(ts) FILTER (WHERE ts >= $previous_from::TIMESTAMPTZ AND ts < $from::TIMESTAMPTZ) AS previous_first,
        max(last_ts) FILTER (WHERE ts >= $previous_from::TIMESTAMPTZ AND ts < $from::TIMESTAMPTZ) AS previous_last
    FROM client_sessions
    GROUP BY client
)
SELECT
    b.client,
    strftime(archive_first, '%Y-%m-%dT%H:%M:%SZ') AS archive_first,
    strftime(week_first, '%Y-%m-%dT%H:%M:%SZ') AS week_first,
    strftime(week_last, '%Y-%m-%dT%H:%M:%SZ') AS week_last,
    strftime(previous_first, '%Y-%m-%dT%H:%M:%SZ') AS previous_first,
    strftime(previous_last, '%Y-%m-%dT%H:%M:%SZ') AS previous_last
FROM brief_clients AS b
LEFT JOIN spans USING (client);
