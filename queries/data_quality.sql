-- Rows per archive file and outcome: reason is '' for accepted rows and the
-- reject reason otherwise. Rows read = accepted + rejected for every file.
SELECT
    file,
    source,
    coalesce(reject_reason, '') AS reason,
    count(*)::INTEGER AS rows
FROM sessions_all
GROUP BY ALL
ORDER BY file, reason;
