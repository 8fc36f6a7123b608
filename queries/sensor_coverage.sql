-- Each client sensor's first and last accepted session and its session count,
-- in the week before the report week and in the report week. The brief names
-- a sensor that ran the week before and then fell silent or covered only part
-- of the report week. The client's counts then compare weeks seen by
-- different sensors, even where its other sensors covered the week.
-- Times are ISO 8601 UTC text.
-- Parameters: $from (TIMESTAMPTZ text): the previous week's start;
-- $to (TIMESTAMPTZ text): the report week's end.
CREATE OR REPLACE TEMP TABLE sensor_coverage AS
SELECT
    c.client,
    s.sensor,
    week_label(week_number(s.ts)) AS week,
    strftime(min(s.ts), '%Y-%m-%dT%H:%M:%SZ') AS first,
    -- A grouped row of sessions_all lies within one week (see canonical.sql).
    strftime(max(s.last_ts), '%Y-%m-%dT%H:%M:%SZ') AS last,
    sum(s.sessions)::BIGINT AS sessions
FROM sessions_all AS s
JOIN sensor_clients AS c ON c.source = s.source AND c.sensor = s.sensor
WHERE s.reject_reason IS NULL AND s.ts >= $from::TIMESTAMPTZ AND s.ts < $to::TIMESTAMPTZ
GROUP BY c.client, s.sensor, week_number(s.ts);
