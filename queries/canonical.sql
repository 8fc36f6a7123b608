-- Turns the raw rows of every source (the view raw_sessions, values mostly
-- as text, each row standing for `sessions` archive rows) into the
-- canonical session schema of the table sessions_all. Every row is kept:
-- accepted rows have reject_reason NULL, the others carry the reason they
-- cannot count as traffic. A reader sets read_error for a record it could not parse, and
-- skip_reason for a record that is no session at all (a Suricata alert
-- event, a syslog line of another program). skipped_records.sql counts and
-- removes the skipped records.
--
-- With $grouped false each row of sessions_all is one archive row
-- (sessions = 1). With $grouped true each row represents the `sessions`
-- archive rows of one file and ISO week that share every other value, ts is
-- the earliest of their times and last_ts the latest (the archive's coverage
-- of each week comes from both). The weekly run needs no more, and the
-- table then contains far fewer rows than the archive. The groups also split
-- where a time check could tell rows apart: epoch zero, and after $now plus
-- one day. The 1990 check needs no split, because 1990-01-01 is a Monday. So
-- every reject reason below is the one each of the group's rows would get on
-- its own. A reader may already have grouped its rows on the same values
-- (see rawSelect). Those rows have pre_grouped true and are taken as they
-- are, because grouping them again would change nothing.
--
-- Parameters: $now (TIMESTAMPTZ text), times after it plus one day are
-- implausible; $grouped (BOOLEAN).
CREATE OR REPLACE TEMP TABLE sessions_all AS
WITH parsed AS NOT MATERIALIZED (
    SELECT
        file,
        file_ref,
        source,
        read_error,
        skip_reason,
        sensor,
        time_missing,
        CASE WHEN has_time_format THEN formatted_time ELSE parse_time(raw_time, time_zone) END AS ts,
        CASE WHEN has_time_format THEN last_formatted_time END AS last_formatted_time,
        raw_src_ip,
        raw_proto,
        raw_dst_port,
        sessions,
        pre_grouped
    FROM raw_sessions
),
-- Rows are grouped on their raw values, and each group's values are cleaned
-- and checked once below: every function there gives the same result for the
-- same value, so this is the same as cleaning each row.
counted AS MATERIALIZED (
    SELECT * EXCLUDE (pre_grouped) FROM parsed WHERE NOT $grouped OR pre_grouped
    UNION ALL
    SELECT file, file_ref, source, read_error, skip_reason, sensor, time_missing, min(ts) AS ts, max(coalesce(last_formatted_time, ts)) AS last_formatted_time,
           raw_src_ip, raw_proto, raw_dst_port, sum(sessions) AS sessions
    FROM parsed
    WHERE $grouped AND NOT pre_grouped
    GROUP BY file, file_ref, source, read_error, skip_reason, sensor, time_missing, raw_src_ip, raw_proto, raw_dst_port,
             week_number(ts), ts = TIMESTAMPTZ '1970-01-01 00:00:00+00', ts > $now::TIMESTAMPTZ + INTERVAL 1 DAY
),
-- Each distinct raw protocol, port and address is cleaned once, and the
-- groups take the results by hash joins on these small tables. That is
-- cheaper than running the cleaning functions on every group.
protocols AS (
    SELECT raw_proto, proto_name(raw_proto) AS proto, proto_lacks_ports(proto_name(raw_proto)) AS lacks_ports
    FROM (SELECT DISTINCT raw_proto FROM counted)
),
ports AS (
    SELECT raw_dst_port, port_text, TRY_CAST(port_text AS BIGINT) AS port_number
    FROM (SELECT raw_dst_port, nullif(nullif(trim(raw_dst_port::VARCHAR), ''), '-') AS port_text FROM (SELECT DISTINCT raw_dst_port FROM counted))
),
-- Sources repeat far more often than they change, so each distinct address
-- text is parsed once. Only import and inspect show the parsed address as
-- text, so the grouped read keeps it as written.
addresses AS (
    SELECT raw_src_ip, clean_src_ip, ip_key, CASE WHEN NOT $grouped THEN ip_text(ip_key) END AS src_ip
    FROM (
        SELECT raw_src_ip, clean_src_ip, ip_key(clean_src_ip) AS ip_key
        FROM (SELECT raw_src_ip, nullif(nullif(trim(raw_src_ip), ''), '-') AS clean_src_ip FROM (SELECT DISTINCT raw_src_ip FROM counted))
    )
),
-- A reader that names files by number (file_ref, see archive_files) leaves
-- file NULL, and the path is looked up once per group here.
numbered AS (
    SELECT
        coalesce(c.file, f.file) AS file,
        c.source,
        c.read_error,
        c.skip_reason,
        nullif(trim(c.sensor), '') AS sensor,
        c.time_missing,
        c.ts,
        coalesce(c.last_formatted_time, c.ts) AS last_ts,
        c.sessions,
        a.clean_src_ip AS raw_src_ip,
        a.ip_key,
        a.src_ip,
        p.proto,
        CASE WHEN NOT p.lacks_ports THEN d.port_text END AS port_text,
        CASE WHEN NOT p.lacks_ports THEN d.port_number END AS port_number
    FROM counted AS c
    LEFT JOIN archive_files AS f USING (file_ref)
    LEFT JOIN protocols AS p ON p.raw_proto IS NOT DISTINCT FROM c.raw_proto
    LEFT JOIN ports AS d ON d.raw_dst_port IS NOT DISTINCT FROM c.raw_dst_port
    LEFT JOIN addresses AS a ON a.raw_src_ip IS NOT DISTINCT FROM c.raw_src_ip
)
SELECT
    file,
    source,
    coalesce(sensor, source) AS sensor,
    ts,
    last_ts,
    ip_key,
    coalesce(src_ip, raw_src_ip) AS src_ip,
    CASE WHEN port_number BETWEEN 0 AND 65535 THEN port_number::USMALLINT END AS dst_port,
    proto,
    sessions::BIGINT AS sessions,
    skip_reason,
    CASE
        WHEN skip_reason IS NOT NULL THEN NULL
        WHEN read_error IS NOT NULL THEN read_error
        -- Honeypot exports pad with records that carry no traffic: epoch-zero
        -- time, the unspecified address and port 0.
        WHEN (ts = TIMESTAMPTZ '1970-01-01 00:00:00+00' OR ip_key IN (ipv4_base(), 0::UHUGEINT)) AND port_number = 0
            THEN 'placeholder record'
        WHEN time_missing THEN 'missing time'
        WHEN ts IS NULL THEN 'unparseable time'
        WHEN ts < TIMESTAMPTZ '1990-01-01 00:00:00+00' OR ts > $now::TIMESTAMPTZ + INTERVAL 1 DAY THEN 'implausible time'
        WHEN raw_src_ip IS NULL THEN 'missing source IP'
        WHEN ip_key IS NULL THEN 'invalid source IP'
        WHEN ip_key IN (ipv4_base(), 0::UHUGEINT) THEN 'unspecified source IP'
        WHEN port_text IS NOT NULL AND port_number IS NULL THEN 'invalid port'
        WHEN port_number NOT BETWEEN 0 AND 65535 THEN 'port out of range'
        WHEN port_text IS NULL AND proto_has_ports(proto) THEN 'missing port'
    END AS reject_reason
FROM numbered;
