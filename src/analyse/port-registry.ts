import path from 'node:path';
import { type Database, sqlString } from '../db.js';
import { DATA_DIR } from '../paths.js';

export const REGISTRY_NAME = 'IANA Service Name and Transport Protocol Port Number Registry';

/** Loads the shipped IANA registry into the table port_services and returns its latest modification date. */
export async function loadPortRegistry(db: Database, file = path.join(DATA_DIR, 'iana', 'service-names-port-numbers.csv')): Promise<string | null> {
  await db.run(
    // A table, not a view: the registry is read twice below and the file is parsed once.
    `CREATE OR REPLACE TEMP TABLE iana_registry AS SELECT * FROM read_csv(${sqlString(file)}, header = true, all_varchar = true)`,
    undefined,
    `the IANA port registry ${file}`,
  );
  await db.runFile('port_services.sql');

  const rows = await db.query(`SELECT strftime(max(TRY_CAST("Modification Date" AS DATE)), '%Y-%m-%d') AS updated FROM iana_registry`);
  return (rows[0]?.updated as string | null) ?? null;
}
