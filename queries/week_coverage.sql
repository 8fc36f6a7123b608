-- When each client of the archive has accepted sessions: for each ISO week
-- with sessions of the client, its first and last session, oldest first
-- (week_spans). earlier is true when the client has a session before the
-- report week. The brief warns when a week is only partly covered, leaves
-- such weeks out of baselines, and gives the client's first day for "first
-- seen" findings. Everything comes from the client's own sensors, so one
-- client's brief never shows when another client's sensors saw traffic.
-- Times are ISO 8601 UTC text.
-- Parameters: $from (TIMESTAMPTZ text): the report week's start.
CREATE OR REPLACE TEMP TABLE client_coverage AS
WITH client_weeks AS (
    -- A grouped row of sessions_all lies within one week (see canonical.sql),
    -- so its latest time falls in the same week as its earliest.
    SELECT c.client, week_number(s.ts) AS week_num, min(s.ts) AS first_ts, max(s.last_ts) AS last_ts
    FROM sessions_all AS s
    JOIN sensor_clients AS c ON c.source = s.source AND c.sensor = s.sensor
    WHERE s.reject_reason IS NULL
    GROUP BY ALL
)
SELECT
    client,
    min(first_ts) < $from::TIMESTAMPTZ AS earlier,
    list({
        'week': week_label(week_num),
        'first': strftime(first_ts, '%Y-%m-%dT%H:%M:%SZ'),
        'last': strftime(last_ts, '%Y-%m-%dT%H:%M:%SZ')
    } ORDER BY week_num) AS week_spans
FROM client_weeks
GROUP BY client;
