-- Address blocks that belong to no country (IANA special-purpose registries,
-- RFC 6890 and successors). A source in one of them is labelled with the
-- block's label and never given a country. The blocks must not overlap,
-- because the enrichment join picks the nearest block start below an address.
-- cidr is the registry's block, also for the two spans that are parts of one.
CREATE OR REPLACE TEMP TABLE special_ranges AS
SELECT cidr_first(cidr) AS start_key, cidr_last(cidr) AS end_key, label, cidr
FROM (VALUES
    ('0.0.0.0/32',       'unspecified'),
    ('10.0.0.0/8',       'private'),
    ('100.64.0.0/10',    'shared'),
    ('127.0.0.0/8',      'loopback'),
    ('169.254.0.0/16',   'link-local'),
    ('172.16.0.0/12',    'private'),
    ('192.0.0.0/24',     'reserved'),
    ('192.0.2.0/24',     'documentation'),
    ('192.168.0.0/16',   'private'),
    ('198.18.0.0/15',    'reserved'),
    ('198.51.100.0/24',  'documentation'),
    ('203.0.113.0/24',   'documentation'),
    ('224.0.0.0/4',      'multicast'),
    ('240.0.0.0/4',      'reserved'),
    ('::/128',           'unspecified'),
    ('::1/128',          'loopback'),
    ('100::/64',         'reserved'),
    ('2001:db8::/32',    'documentation'),
    ('fc00::/7',         'private'),
    ('fe80::/10',        'link-local'),
    ('ff00::/8',         'multicast')
) AS blocks(cidr, label)
UNION ALL
-- The rest of 0.0.0.0/8 ("this network") after 0.0.0.0 itself, and the
-- deprecated IPv4-compatible IPv6 addresses in ::/96 after :: and ::1
-- (RFC 4291). They are spans, not CIDR blocks.
SELECT ip_key(first), ip_key(last), label, cidr
FROM (VALUES
    ('0.0.0.1', '0.255.255.255', 'reserved', '0.0.0.0/8'),
    ('::2',     '::ffff:ffff',   'reserved', '::/96')
) AS spans(first, last, label, cidr)
ORDER BY start_key;
