import type { Client, Config } from '../config/load.js';
import type { Database } from '../db.js';
import { damageByFile } from './accounting.js';
import { type ArchiveLoad, type FileQuality, type OutcomeCount, fileQuality, toOutcome } from './load.js';
import { type ResolvedSource, fixedSensor } from './source.js';

/**
 * Creates client_map (client, source, sensor) from the config and, from it
 * and sessions_all, the table sensor_clients that assigns each sensor of the
 * archive to its clients.
 */
export async function assignClients(db: Database, clients: Client[]): Promise<void> {
  await db.run('CREATE OR REPLACE TABLE client_map (client VARCHAR NOT NULL, source VARCHAR, sensor VARCHAR)');
  const appender = await db.connection.createAppender('client_map');
  try {
    for (const client of clients) {
      for (const source of client.sources) {
        appender.appendVarchar(client.id);
        appender.appendVarchar(source);
        appender.appendNull();
        appender.endRow();
      }
      for (const sensor of client.sensors) {
        appender.appendVarchar(client.id);
        appender.appendNull();
        appender.appendVarchar(sensor);
        appender.endRow();
      }
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
  await db.runFile('client_sensors.sql');
}

/**
 * Returns each client's data-quality accounting: only the rows of its own
 * sensors. A line the reader could not take (a malformed CSV line) and a
 * skipped record have no readable sensor, so they count only for clients
 * that own the whole source: named in its sources, or owning the one sensor
 * that every row of the source has. The run log reports every one.
 */
export async function qualityByClient(db: Database, config: Config, archive: ArchiveLoad): Promise<Map<string, FileQuality[]>> {
  const outcomes = (await db.queryFile('data_quality.sql')).map((row) => ({ client: String(row.client), ...toOutcome(row) }));

  const result = new Map<string, FileQuality[]>();
  for (const client of config.clients) {
    const ownedSources = archive.sources.filter((source) => ownsWholeSource(client, source));
    const owned = new Set(ownedSources.map((source) => source.config.name));
    const own: OutcomeCount[] = [
      ...outcomes.filter((outcome) => outcome.client === client.id),
      ...archive.readerRejects.filter((line) => owned.has(line.source)),
    ];
    const skipped = archive.skipped.filter((record) => owned.has(record.source));
    // Files of sources the client owns are all listed; of shared sources, only those holding its rows.
    result.set(client.id, fileQuality(config, ownedSources, own, skipped, damageByFile(archive.sources)));
  }
  return result;
}

/** Tells whether every row of `source` belongs to `client`: the client names the source, or the source's rows all carry one sensor of the client's. */
function ownsWholeSource(client: Client, source: ResolvedSource): boolean {
  if (client.sources.includes(source.config.name)) return true;
  const sensor = fixedSensor(source.config);
  return sensor !== undefined && client.sensors.includes(sensor);
}
