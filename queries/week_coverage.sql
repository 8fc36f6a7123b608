-- When each client of the archive has accepted sessions. The table gives the
-- first and last session of the report week and of the previous week, the
-- first and last session of the whole archive, and each ISO week with
-- sessions of the client, with its first and last session, oldest first
-- (week_spans). earlier is true when the client has a
-- session before the report week. The brief warns when a week is only partly
-- covered, and gives the archive's first day for "first seen" findings.
-- Everything comes from the client's own sensors, so one client's brief
-- never shows when another client's sensors saw traffic. Times are ISO 8601
-- UTC text, NULL where the client has no session in that week.
-- Parameters: $previous_from, $from (TIMESTAMPTZ text): the previous week's
-- start and the report week's start.
CREATE OR REPLACE TEMP TABLE client_coverage AS
WITH client_weeks AS (
    -- A grouped row of sessions_all lies within one week (see canonical.sql),
    -- so its latest time falls in the same week as its earliest.
    SELECT c.client, date_trunc('week', s.ts) AS monday, min(s.ts) AS first_ts, max(s.last_ts) AS last_ts
    FROM sessions_all AS s
    JOIN sensor_clients AS c ON c.source = s.source AND c.sensor = s.sensor
    WHERE s.reject_reason IS NULL
    GROUP BY ALL
),
spans AS (
    SELECT
        client,
        min(first_ts) AS archive_first,
        max(last_ts) AS archive_last,
        min(first_ts) FILTER (WHERE monday = $from::TIMESTAMPTZ) AS week_first,
        max(last_ts) FILTER (WHERE monday = $from::TIMESTAMPTZ) AS week_last,
        min(first_ts) FILTER (WHERE monday = $previous_from::TIMESTAMPTZ) AS previous_first,
        max(last_ts) FILTER (WHERE monday = $previous_from::TIMESTAMPTZ) AS previous_last,
        list({
            'week': isoyear(monday) || '-W' || lpad(week(monday)::VARCHAR, 2, '0'),
            'first': strftime(first_ts, '%Y-%m-%dT%H:%M:%SZ'),
            'last': strftime(last_ts, '%Y-%m-%dT%H:%M:%SZ')
        } ORDER BY monday) AS week_spans
    FROM client_weeks
    GROUP BY client
)
SELECT
    client,
    archive_first < $from::TIMESTAMPTZ AS earlier,
    strftime(archive_first, '%Y-%m-%dT%H:%M:%SZ') AS archive_first,
    strftime(archive_last, '%Y-%m-%dT%H:%M:%SZ') AS archive_last,
    strftime(week_first, '%Y-%m-%dT%H:%M:%SZ') AS week_first,
    strftime(week_last, '%Y-%m-%dT%H:%M:%SZ') AS week_last,
    strftime(previous_first, '%Y-%m-%dT%H:%M:%SZ') AS previous_first,
    strftime(previous_last, '%Y-%m-%dT%H:%M:%SZ') AS previous_last,
    week_spans
FROM spans;
