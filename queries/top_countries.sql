-- Every brief's source countries of the report week: for each client of
-- brief_clients, the top ones by sessions (then distinct sources, then code),
-- plus the countries the client always wants shown when they have sessions.
-- The later ranking queries read the shown countries from this table.
-- brief_clients contains (client, always), always being a list of country codes.
-- Parameters: $week ('YYYY-Www'), $countries (how many top ones).
CREATE OR REPLACE TEMP TABLE shown_countries AS
WITH ranked AS (
    SELECT
        w.client,
        w.country,
        w.sessions,
        w.sources,
        row_number() OVER (PARTITION BY w.client ORDER BY w.sessions DESC, w.sources DESC, w.country ASC) AS position,
        b.always
    FROM country_weeks AS w
    JOIN brief_clients AS b USING (client)
    WHERE w.week = $week
)
SELECT client, country, sessions::INTEGER AS sessions, sources::INTEGER AS sources, position
FROM ranked
WHERE position <= $countries OR list_contains(always, country);
