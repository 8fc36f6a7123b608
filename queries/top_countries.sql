-- A client's source countries of the report week: the top ones by sessions
-- (then distinct sources, then code), plus the countries the client always
-- wants shown when they have sessions.
-- Parameters: $client, $week ('YYYY-Www'), $countries (how many top ones),
-- $always (list of country codes).
WITH ranked AS (
    SELECT
        country,
        sessions,
        sources,
        row_number() OVER (ORDER BY sessions DESC, sources DESC, country ASC) AS position
    FROM country_weeks
    WHERE client = $client AND week = $week
)
SELECT country, sessions::INTEGER AS sessions, sources::INTEGER AS sources
FROM ranked
WHERE position <= $countries OR list_contains($always, country)
ORDER BY position;
