-- Rows per client, archive file and outcome: reason is '' for accepted rows
-- and the reject reason otherwise. Rows read = accepted + rejected for every
-- file. A row counts for each client its sensor belongs to.
SELECT
    c.client,
    s.file,
    s.source,
    coalesce(s.reject_reason, '') AS reason,
    sum(s.sessions)::INTEGER AS rows
FROM sessions_all AS s
JOIN sensor_clients AS c ON c.source = s.source AND c.sensor = s.sensor
GROUP BY ALL
ORDER BY c.client, s.file, reason;
