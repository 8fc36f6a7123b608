-- Turns the raw rows of every source (the view raw_sessions, one row per
-- archive row, all values as text) into the canonical session schema. Every
-- row is kept: accepted rows have reject_reason NULL, the others carry the
-- reason they cannot count as traffic. A reader sets read_error for a record
-- it could not parse, and skip_reason for a record that is no session at all
-- (a Suricata alert event, a syslog line of another program).
-- skipped_records.sql counts and removes the skipped records.
--
-- Parameters: $now (TIMESTAMPTZ text), times after it plus one day are implausible.
CREATE OR REPLACE TEMP TABLE sessions_all AS
WITH parsed AS MATERIALIZED (
    SELECT
        file,
        source,
        read_error,
        skip_reason,
        nullif(trim(sensor), '') AS sensor,
        time_missing,
        CASE WHEN has_time_format THEN formatted_time ELSE parse_time(raw_time, time_zone) END AS ts,
        nullif(nullif(trim(raw_src_ip), ''), '-') AS raw_src_ip,
        proto_name(raw_proto) AS proto,
        CASE WHEN NOT proto_lacks_ports(proto_name(raw_proto)) THEN nullif(nullif(trim(raw_dst_port), ''), '-') END AS port_text
    FROM raw_sessions
),
-- Sources repeat far more often than they change, so each distinct address
-- text is parsed once and rows take its key by a hash join.
addresses AS (
    SELECT raw_src_ip, ip_key, ip_text(ip_key) AS src_ip
    FROM (SELECT raw_src_ip, ip_key(raw_src_ip) AS ip_key FROM (SELECT DISTINCT raw_src_ip FROM parsed WHERE raw_src_ip IS NOT NULL))
),
numbered AS (
    SELECT p.*, a.ip_key, a.src_ip, TRY_CAST(p.port_text AS BIGINT) AS port_number
    FROM parsed AS p
    LEFT JOIN addresses AS a ON a.raw_src_ip = p.raw_src_ip
)
SELECT
    file,
    source,
    coalesce(sensor, source) AS sensor,
    ts,
    ip_key,
    coalesce(src_ip, raw_src_ip) AS src_ip,
    CASE WHEN port_number BETWEEN 0 AND 65535 THEN port_number::USMALLINT END AS dst_port,
    proto,
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
