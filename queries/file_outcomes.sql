-- Rows per archive file and outcome over the whole archive, whichever client
-- they belong to: reason is '' for accepted rows and the reject reason otherwise.
SELECT file, source, coalesce(reject_reason, '') AS reason, sum(sessions)::INTEGER AS rows
FROM sessions_all
GROUP BY ALL;
