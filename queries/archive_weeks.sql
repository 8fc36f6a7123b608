-- ISO weeks (Monday 00:00 to Sunday 24:00 UTC) that hold accepted sessions.
-- Rows are grouped by the timestamp of the week's Monday, and only the few
-- groups are turned into 'YYYY-Www' text.
SELECT
    isoyear(monday) || '-W' || lpad(week(monday)::VARCHAR, 2, '0') AS week,
    sessions
FROM (
    SELECT date_trunc('week', ts) AS monday, sum(sessions)::INTEGER AS sessions
    FROM sessions_all
    WHERE reject_reason IS NULL
    GROUP BY ALL
)
ORDER BY week;
