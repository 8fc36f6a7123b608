-- When each client of the archive has accepted sessions. The table gives the
-- first and last session of the report week and of the previous week, and
-- the first session of the whole archive. earlier tells whether the client
-- has any session before the report week. The brief warns when a week is only partly covered, and gives
-- the archive's first day for "first seen" findings. Times are ISO 8601 UTC
-- text, NULL where the client has no session in that week.
-- Parameters: $previous_from, $from, $to (TIMESTAMPTZ text): the previous
-- week's start, the report week's start and its end (exclusive).
CREATE OR REPLACE TEMP TABLE client_coverage AS
WITH spans AS (
    SELECT
        c.client,
        min(s.ts) AS archive_first,
        min(s.ts) FILTER (WHERE s.ts >= $from::TIMESTAMPTZ AND s.ts < $to::TIMESTAMPTZ) AS week_first,
        max(s.last_ts) FILTER (WHERE s.ts >= $from::TIMESTAMPTZ AND s.ts < $to::TIMESTAMPTZ) AS week_last,
        min(s.ts) FILTER (WHERE s.ts >= $previous_from::TIMESTAMPTZ AND s.ts < $from::TIMESTAMPTZ) AS previous_first,
        max(s.last_ts) FILTER (WHERE s.ts >= $previous_from::TIMESTAMPTZ AND s.ts < $from::TIMESTAMPTZ) AS previous_last
    FROM sessions_all AS s
    JOIN sensor_clients AS c ON c.source = s.source AND c.sensor = s.sensor
    WHERE s.reject_reason IS NULL
    GROUP BY c.client
)
SELECT
    client,
    archive_first < $from::TIMESTAMPTZ AS earlier,
    strftime(archive_first, '%Y-%m-%dT%H:%M:%SZ') AS archive_first,
    strftime(week_first, '%Y-%m-%dT%H:%M:%SZ') AS week_first,
    strftime(week_last, '%Y-%m-%dT%H:%M:%SZ') AS week_last,
    strftime(previous_first, '%Y-%m-%dT%H:%M:%SZ') AS previous_first,
    strftime(previous_last, '%Y-%m-%dT%H:%M:%SZ') AS previous_last
FROM spans;
