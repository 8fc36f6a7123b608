-- Replaces the archive's numbers for earlier weeks with the stored ones,
-- where a stored ranking exists, so comparisons use what earlier briefs
-- reported. The report week always comes from the archive.
-- Parameters: $week (the report week), $weeks (list of the window's weeks).
CREATE OR REPLACE TEMP TABLE stored_weeks AS
SELECT DISTINCT client, week FROM state.weekly_countries
WHERE week <> $week AND list_contains($weeks, week);

DELETE FROM country_weeks WHERE (client, week) IN (SELECT (client, week) FROM stored_weeks);
DELETE FROM weekly_ports WHERE (client, week) IN (SELECT (client, week) FROM stored_weeks);

INSERT INTO country_weeks
SELECT client, week, country, sessions, sources FROM state.weekly_countries
WHERE (client, week) IN (SELECT (client, week) FROM stored_weeks);

INSERT INTO weekly_ports
SELECT client, week, country, port, sessions, sources, udp_sessions, share, rank FROM state.weekly_rankings
WHERE (client, week) IN (SELECT (client, week) FROM stored_weeks);
