-- ISO weeks (Monday 00:00 to Sunday 24:00 UTC) that hold accepted sessions.
SELECT
    isoyear(ts) || '-W' || lpad(week(ts)::VARCHAR, 2, '0') AS week,
    count(*)::INTEGER AS sessions
FROM sessions_all
WHERE reject_reason IS NULL
GROUP BY ALL
ORDER BY week;
