-- Stores the ranking tables of the given weeks in the state database,
-- replacing what was stored for them before.
-- Parameters: $weeks (list of weeks to store), $now (TIMESTAMPTZ text).
DELETE FROM state.weekly_countries WHERE list_contains($weeks, week) AND client IN (SELECT DISTINCT client FROM client_map);
DELETE FROM state.weekly_rankings WHERE list_contains($weeks, week) AND client IN (SELECT DISTINCT client FROM client_map);

INSERT INTO state.weekly_countries
SELECT client, week, country, sessions, sources, $now::TIMESTAMPTZ FROM country_weeks WHERE list_contains($weeks, week);

INSERT INTO state.weekly_rankings
SELECT client, week, country, port, sessions, sources, udp_sessions, share, rank, $now::TIMESTAMPTZ
FROM weekly_ports WHERE list_contains($weeks, week);
