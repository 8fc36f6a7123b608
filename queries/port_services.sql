-- One line per port number from IANA's service-name and port-number registry
-- (the table iana_registry): the service name (TCP's when TCP and UDP
-- differ), the UDP entries' name (udp_service: 623/udp is 'asf-rmcp', where
-- 623/tcp is 'oob-ws-http'), and the port's status: assigned, unassigned or
-- reserved. Port ranges such as 6000-6063 are expanded to every port they
-- cover. Where a port has
-- several names for one protocol, a name the registry backs with an RFC wins
-- over the others, then the first listed: 465/tcp is 'submissions'
-- (RFC 8314), not 'urd'.
CREATE OR REPLACE TEMP TABLE port_services AS
WITH entries AS (
    SELECT
        trim(coalesce("Service Name", '')) AS service,
        lower(trim(coalesce("Description", ''))) AS description,
        lower(trim(coalesce("Transport Protocol", ''))) AS proto,
        coalesce("Reference", '') ILIKE '%RFC%' AS has_rfc,
        TRY_CAST(split_part("Port Number", '-', 1) AS INTEGER) AS first_port,
        TRY_CAST(coalesce(nullif(split_part("Port Number", '-', 2), ''), split_part("Port Number", '-', 1)) AS INTEGER) AS last_port,
        row_number() OVER () AS registry_order
    FROM iana_registry
    WHERE coalesce("Port Number", '') <> ''
),
expanded AS (
    SELECT unnest(range(first_port, last_port + 1)) AS port, service, description, proto, has_rfc, registry_order
    FROM entries
    WHERE first_port IS NOT NULL AND last_port BETWEEN first_port AND 65535
)
SELECT
    port,
    coalesce(
        arg_min(service, (proto <> 'tcp', NOT has_rfc, registry_order)) FILTER (WHERE service <> ''),
        ''
    ) AS service,
    coalesce(
        arg_min(service, (proto <> 'udp', NOT has_rfc, registry_order)) FILTER (WHERE service <> ''),
        ''
    ) AS udp_service,
    CASE WHEN bool_or(service <> '') THEN 'assigned'
         WHEN bool_or(description = 'reserved') THEN 'reserved'
         ELSE 'unassigned' END AS status
FROM expanded
GROUP BY port;
