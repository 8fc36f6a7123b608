-- Part of the weekly table: per client and ISO week, the sessions by how
-- their source was located: 'country', a special-purpose label such as
-- 'private', or 'unknown'. Known scanners count here too.
CREATE OR REPLACE TEMP TABLE status_weeks AS
SELECT client, week, geo_status, sum(sessions)::BIGINT AS sessions
FROM weekly_sources
GROUP BY ALL;
