-- The source networks (autonomous systems) behind each shown port: for every
-- brief's client and every shown country's top N ports of the report week,
-- the $networks autonomous systems with the most sessions to that port, then
-- the most distinct sources, then the lowest AS number. share is the
-- network's fraction of the port's sessions from that country. Sessions
-- whose source no ASN database covers are left out, so the shares of a
-- port's networks may add up to less than 1. Known scanners are left out, as
-- they are from the port's sessions. An AS whose ranges carry different
-- organisation names is shown with the name of most of its sessions.
-- Parameters: $week ('YYYY-Www'), $ports (N), $networks (how many networks per port).
WITH shown_ports AS (
    SELECT w.client, w.country, w.port, w.sessions AS port_sessions
    FROM weekly_ports AS w
    SEMI JOIN shown_countries AS c ON c.client = w.client AND c.country = w.country
    WHERE w.week = $week AND w.rank <= $ports
),
port_networks AS (
    SELECT
        n.client,
        n.country,
        n.port,
        n.asn,
        first(n.as_org ORDER BY n.sessions DESC, n.as_org) AS organisation,
        sum(n.sessions) AS sessions,
        sum(n.sources) AS sources
    FROM network_weeks AS n
    SEMI JOIN shown_ports AS p ON p.client = n.client AND p.country = n.country AND p.port = n.port
    WHERE n.week = $week
    GROUP BY n.client, n.country, n.port, n.asn
),
ranked AS (
    SELECT
        n.*,
        n.sessions / p.port_sessions AS share,
        row_number() OVER (PARTITION BY n.client, n.country, n.port ORDER BY n.sessions DESC, n.sources DESC, n.asn ASC) AS position
    FROM port_networks AS n
    JOIN shown_ports AS p USING (client, country, port)
)
SELECT
    client,
    country,
    port::INTEGER AS port,
    position::INTEGER AS position,
    asn::UINTEGER AS asn,
    coalesce(organisation, '') AS organisation,
    sessions::INTEGER AS sessions,
    sources::INTEGER AS sources,
    share::DOUBLE AS share
FROM ranked
WHERE position <= $networks
ORDER BY client, country, port, position;
