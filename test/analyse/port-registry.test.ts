import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPortRegistry } from '../../src/analyse/port-registry.js';
import { Database } from '../../src/db.js';

describe('the shipped IANA port registry', () => {
  let db: Database;
  let updated: string | null;

  beforeAll(async () => {
    db = await Database.open();
    updated = await loadPortRegistry(db);
  });
  afterAll(() => db.close());

  it('prefers RFC-backed TCP service names', async () => {
    const rows = await db.query('SELECT port::INTEGER AS port, service, status FROM port_services WHERE port IN (22, 465, 1433, 6010, 9530, 0) ORDER BY port');
    expect(rows).toEqual([
      { port: 0, service: '', status: 'reserved' },
      { port: 22, service: 'ssh', status: 'assigned' },
      // 465/tcp is listed first as 'urd' and then as 'submissions' (RFC 8314), which mail clients use.
      { port: 465, service: 'submissions', status: 'assigned' },
      { port: 1433, service: 'ms-sql-s', status: 'assigned' },
      // Inside the range 6000-6063.
      { port: 6010, service: 'x11', status: 'assigned' },
      { port: 9530, service: '', status: 'unassigned' },
    ]);
    expect(updated).toBe('2024-04-30');
  });

  it("keeps UDP's name where the protocols differ", async () => {
    const rows = await db.query('SELECT port::INTEGER AS port, service, udp_service FROM port_services WHERE port IN (53, 623) ORDER BY port');
    expect(rows).toEqual([
      { port: 53, service: 'domain', udp_service: 'domain' },
      { port: 623, service: 'oob-ws-http', udp_service: 'asf-rmcp' },
    ]);
  });
});
