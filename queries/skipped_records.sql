-- Counts the records of sessions_all that are no sessions (skip_reason set,
-- such as Suricata alert events) per file and kind, then removes them, so
-- that rows read = accepted + rejected is true for the session records alone.
CREATE OR REPLACE TEMP TABLE skipped_records AS
SELECT file, source, skip_reason AS kind, sum(sessions)::INTEGER AS records
FROM sessions_all
WHERE skip_reason IS NOT NULL
GROUP BY ALL;

DELETE FROM sessions_all WHERE skip_reason IS NOT NULL;

ALTER TABLE sessions_all DROP COLUMN skip_reason;
