-- For the `geoip` command: each requested address of lookup_input
-- (position, address) with its canonical text (NULL when the text is no IP
-- address) and, when it falls in a special-purpose block, that block's label
-- and CIDR. Needs special_ranges.sql. Addresses are read as the archive reads
-- them: dotted IPv4, IPv4 as a decimal integer, or IPv6.
SELECT
    i.position,
    i.address,
    ip_text(i.key) AS canonical,
    CASE WHEN sp.end_key >= i.key THEN sp.label END AS label,
    CASE WHEN sp.end_key >= i.key THEN sp.cidr END AS block
FROM (SELECT position, address, ip_key(trim(address)) AS key FROM lookup_input) AS i
ASOF LEFT JOIN special_ranges AS sp ON i.key >= sp.start_key
ORDER BY i.position;
