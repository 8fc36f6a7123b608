import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPortRegistry } from '../../src/analyse/port-registry.js';
import { Database } from '../../src/db.js';

let db: Database;
beforeAll(async () => {
  db = await Database.open();
  await loadPortRegistry(db);
});
afterAll(() => db.close());

describe('top_ports.sql', () => {
  it('names ports by their main protocol', async () => {
    // Port 623 is 'oob-ws-http' over TCP and 'asf-rmcp' (IPMI) over UDP. Port 9530 has no name for either.
    await db.run(`CREATE TEMP TABLE weekly_ports AS
      SELECT * FROM (VALUES
        ('acme', '2025-W08', 'RU', 623, 9, 8, 0.6, 1),
        ('acme', '2025-W08', 'RU', 9530, 4, 4, 0.3, 2),
        ('acme', '2025-W08', 'CN', 623, 5, 2, 1.0, 1)
      ) AS t(client, week, country, port, sessions, udp_sessions, share, rank)
      CROSS JOIN (SELECT 1 AS sources)`);
    await db.run(`CREATE TEMP TABLE shown_countries AS SELECT * FROM (VALUES ('acme', 'RU'), ('acme', 'CN')) AS t(client, country)`);
    await db.run(`CREATE TEMP TABLE country_weeks AS SELECT 'acme' AS client, '2025-W07' AS week`);

    const rows = await db.queryFile('top_ports.sql', { week: '2025-W08', previous: '2025-W07', ports: 10 });

    expect(rows.map((row) => [row.country, row.port, row.service])).toEqual([
      ['CN', 623, 'oob-ws-http'],
      ['RU', 623, 'asf-rmcp'],
      ['RU', 9530, ''],
    ]);
  });
});
