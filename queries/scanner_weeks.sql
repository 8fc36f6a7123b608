-- Part of the weekly table: per client, ISO week and known scanner network
-- (from the config's analysis.scanners), the sessions and distinct sources
-- that the rankings leave out.
CREATE OR REPLACE TEMP TABLE scanner_weeks AS
SELECT client, week, scanner, sum(sessions)::BIGINT AS sessions, count(DISTINCT ip_key)::BIGINT AS sources
FROM weekly_sources
WHERE scanner IS NOT NULL
GROUP BY ALL;
