-- Sessions and distinct sources of each shown country in every week of the
-- analysis window, from which a baseline finds the earlier weeks with data.
-- Parameters: $client, $weeks, $countries.
SELECT country, week, sessions::INTEGER AS sessions, sources::INTEGER AS sources
FROM country_weeks
WHERE client = $client AND list_contains($weeks, week) AND list_contains($countries, country)
ORDER BY country, week;
