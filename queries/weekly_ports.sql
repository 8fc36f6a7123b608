-- The ranked weekly table: port_weeks with each port's share of all the
-- country's sessions that week (from country_weeks) and its rank in the
-- country. Ports are ranked by $rank_by ('sessions' or 'sources'), then by
-- the other count (both descending), then by port number, so every rank is
-- unique.
CREATE OR REPLACE TEMP TABLE weekly_ports AS
SELECT
    p.client,
    p.week,
    p.country,
    p.port,
    p.sessions,
    p.sources,
    p.udp_sessions,
    p.sessions / c.sessions AS share,
    row_number() OVER (
        PARTITION BY p.client, p.week, p.country
        ORDER BY CASE WHEN $rank_by = 'sources' THEN p.sources ELSE p.sessions END DESC,
                 CASE WHEN $rank_by = 'sources' THEN p.sessions ELSE p.sources END DESC,
                 p.port ASC
    ) AS rank
FROM port_weeks AS p
JOIN country_weeks AS c USING (client, week, country);
