-- Networks of known scanners (research projects, search engines) from the
-- config's analysis.scanners, loaded by portbrief into scanner_networks
-- (name, cidr). Their sessions are counted apart and kept out of rankings and
-- findings. Blocks should not overlap: the enrichment join picks the nearest
-- block start below an address.
CREATE OR REPLACE TEMP TABLE scanner_ranges AS
SELECT cidr_first(cidr) AS start_key, cidr_last(cidr) AS end_key, name, cidr
FROM scanner_networks
ORDER BY start_key;
