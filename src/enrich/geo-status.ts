/**
 * Client-facing names of the enrichment's geo_status values (see
 * queries/enrich.sql and queries/special_ranges.sql), for the brief's
 * data-quality table. Each special-purpose label names its blocks, so a
 * reader can check a surprising count against the sensor's own network.
 */
const STATUS_LABELS: Record<string, string> = {
  country: 'Located in a country',
  unknown: 'Not covered by the GeoIP database (unknown)',
  private: 'Private network (10/8, 172.16/12, 192.168/16, fc00::/7)',
  loopback: 'Loopback (127/8, ::1)',
  'link-local': 'Link-local (169.254/16, fe80::/10)',
  shared: 'Shared address space for carrier-grade NAT (100.64/10)',
  documentation: 'Documentation examples (192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32)',
  multicast: 'Multicast (224/4, ff00::/8)',
  unspecified: 'Unspecified address (0.0.0.0, ::)',
  reserved: 'Reserved by IANA (such as 0/8, 240/4, 198.18/15)',
};

/** Returns the client-facing name of a geo_status value; an unlisted value is returned as it is. */
export function geoStatusLabel(status: string): string {
  return STATUS_LABELS[status] ?? status;
}
