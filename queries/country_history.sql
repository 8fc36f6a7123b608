-- Sessions and distinct sources of each shown country in every week of the
-- analysis window, for every brief's client, from which a baseline finds the
-- earlier weeks with data.
-- Parameters: $weeks.
SELECT w.client, w.country, w.week, w.sessions::INTEGER AS sessions, w.sources::INTEGER AS sources
FROM country_weeks AS w
SEMI JOIN shown_countries AS c ON c.client = w.client AND c.country = w.country
WHERE list_contains($weeks, w.week)
ORDER BY w.client, w.country, w.week;
