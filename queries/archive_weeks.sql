-- ISO weeks (Monday 00:00 to Sunday 24:00 UTC) that hold accepted sessions.
-- Rows are grouped by week number (see week_number in macros.sql), and only
-- the few groups are turned into 'YYYY-Www' text.
SELECT week_label(week_num) AS week, sessions
FROM (
    SELECT week_number(ts) AS week_num, sum(sessions)::INTEGER AS sessions
    FROM sessions_all
    WHERE reject_reason IS NULL
    GROUP BY ALL
)
ORDER BY week_num;
