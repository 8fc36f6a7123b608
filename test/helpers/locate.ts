import type { Database } from '../../src/db.js';
import { type GeoipDatabases, enrichSessions } from '../../src/enrich/enrich.js';
import { silentLogger } from '../../src/log.js';

/** What the enrichment gave one address: its country or special label, and its autonomous system. */
export interface Located {
  /** An ISO country code, a special-purpose label such as 'private', or 'unknown'. */
  label: string;
  asn: number | null;
  organisation: string | null;
}

/**
 * Locates addresses with the same SQL the weekly run uses (one session per
 * address, enriched through the range tables) and returns address text ->
 * result, keyed by the text as given.
 */
export async function locate(db: Database, databases: GeoipDatabases, stateDir: string, addresses: string[]): Promise<Map<string, Located>> {
  await db.run(`CREATE OR REPLACE TEMP TABLE probe (ip VARCHAR)`);
  const appender = await db.connection.createAppender('probe', 'main', 'temp');
  for (const address of addresses) {
    appender.appendVarchar(address);
    appender.endRow();
  }
  appender.closeSync();

  await db.run(
    `CREATE OR REPLACE TEMP TABLE sessions_all AS
     SELECT DISTINCT TIMESTAMPTZ '2025-02-17 00:00:00+00' AS ts, ip_key(ip) AS ip_key, ip_text(ip_key(ip)) AS src_ip, 80::USMALLINT AS dst_port,
            'tcp' AS proto, 'probe' AS sensor, 'probe' AS source, 'probe' AS file, 1::BIGINT AS sessions, NULL::VARCHAR AS reject_reason
     FROM probe`,
  );
  await db.run(`CREATE OR REPLACE TEMP TABLE sensor_clients AS SELECT 'probe' AS source, 'probe' AS sensor, 'probe' AS client`);
  await enrichSessions(db, databases, { from: new Date('2025-02-17T00:00:00Z'), to: new Date('2025-02-24T00:00:00Z') }, stateDir, silentLogger());

  const rows = await db.query(
    `SELECT p.ip, coalesce(s.country, s.geo_status, 'missing') AS label, s.asn::BIGINT::VARCHAR AS asn, s.as_org
     FROM probe AS p LEFT JOIN weekly_sources AS s ON s.ip_key = ip_key(p.ip)`,
  );
  return new Map(
    rows.map((row) => [
      String(row.ip),
      { label: String(row.label), asn: row.asn === null ? null : Number(row.asn), organisation: row.as_org === null ? null : String(row.as_org) },
    ]),
  );
}
