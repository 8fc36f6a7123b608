-- Source countries of the report week by sessions (then distinct sources, then code).
-- Parameters: $week ('YYYY-Www'), $countries (how many to return).
SELECT country, sessions::INTEGER AS sessions, sources::INTEGER AS sources
FROM country_weeks
WHERE week = $week
ORDER BY sessions DESC, sources DESC, country ASC
LIMIT $countries;
