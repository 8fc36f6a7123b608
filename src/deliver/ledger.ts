import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { openStateDatabase } from '../state-database.js';

export type DeliveryStatus = 'sending' | 'sent' | 'failed';

export interface DeliveryRecord {
  client: string;
  week: string;
  briefSha256: string;
  messageId: string | null;
  status: DeliveryStatus;
  attempts: number;
  error: string | null;
  at: string;
  runId: string;
}

/** The ledger's last record of a client's brief for a week, read before a run sends it. */
export type PriorDelivery =
  | { kind: 'none' }
  | { kind: 'sent'; record: DeliveryRecord }
  /** A run recorded 'sending' and never its outcome: it was killed mid-send. */
  | { kind: 'unknown'; record: DeliveryRecord };

/**
 * The delivery ledger: one row per send attempt's outcome, in the state
 * database (a DuckDB file). A rerun reads it so that no client is mailed the
 * same week twice unless asked to.
 */
export class Ledger {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
  ) {}

  static async open(stateDir: string): Promise<Ledger> {
    const instance = await openStateDatabase(stateDir);
    const connection = await instance.connect();
    await connection.run(`CREATE TABLE IF NOT EXISTS deliveries (
      client VARCHAR NOT NULL, week VARCHAR NOT NULL, brief_sha256 VARCHAR NOT NULL, message_id VARCHAR,
      status VARCHAR NOT NULL, attempts INTEGER NOT NULL, error VARCHAR, recorded_at TIMESTAMPTZ NOT NULL, run_id VARCHAR NOT NULL)`);
    return new Ledger(instance, connection);
  }

  /**
   * Returns the ledger's record of a client's week: the last record when it
   * is a 'sending' that no outcome followed, else the last 'sent' record, else
   * none. A failed send does not hide an earlier success, and a 'sending'
   * followed by its failure is no unknown outcome.
   */
  async prior(client: string, week: string): Promise<PriorDelivery> {
    const reader = await this.connection.runAndReadAll(
      `SELECT client, week, brief_sha256, message_id, status, attempts, error, strftime(recorded_at, '%Y-%m-%dT%H:%M:%SZ') AS recorded_at, run_id
       FROM deliveries WHERE client = $client AND week = $week
       ORDER BY recorded_at DESC, rowid DESC`,
      { client, week },
    );
    const records = reader.getRowObjectsJson().map(toRecord);
    if (records[0]?.status === 'sending') return { kind: 'unknown', record: records[0] };
    const sent = records.find((record) => record.status === 'sent');
    return sent ? { kind: 'sent', record: sent } : { kind: 'none' };
  }

  async record(entry: Omit<DeliveryRecord, 'at'>, at: Date): Promise<void> {
    await this.connection.run(
      `INSERT INTO deliveries VALUES ($client, $week, $sha, $messageId, $status, $attempts, $error, $at::TIMESTAMPTZ, $runId)`,
      {
        client: entry.client,
        week: entry.week,
        sha: entry.briefSha256,
        messageId: entry.messageId,
        status: entry.status,
        attempts: entry.attempts,
        error: entry.error,
        at: at.toISOString(),
        runId: entry.runId,
      },
    );
  }

  /**
   * Lists the briefs of weeks before `week` that were never sent: their last
   * outcome is a failure and no send succeeded. Weekly runs handle only their
   * own week, so these wait for a rerun with --week.
   */
  async unsentBefore(week: string): Promise<Array<{ client: string; week: string; error: string | null }>> {
    const reader = await this.connection.runAndReadAll(
      `SELECT client, week, arg_max(error, (recorded_at, rowid)) AS error
       FROM deliveries WHERE week < $week AND status <> 'sending'
       GROUP BY client, week
       HAVING NOT bool_or(status = 'sent') AND arg_max(status, (recorded_at, rowid)) = 'failed'
       ORDER BY week, client`,
      { week },
    );
    return reader.getRowObjectsJson().map((row) => ({ client: String(row.client), week: String(row.week), error: row.error === null ? null : String(row.error) }));
  }

  /** Lists every recorded outcome, oldest first, for reports and tests. */
  async history(): Promise<DeliveryRecord[]> {
    const reader = await this.connection.runAndReadAll(
      `SELECT client, week, brief_sha256, message_id, status, attempts, error, strftime(recorded_at, '%Y-%m-%dT%H:%M:%SZ') AS recorded_at, run_id
       FROM deliveries ORDER BY recorded_at, rowid`,
    );
    return reader.getRowObjectsJson().map(toRecord);
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

function toRecord(row: Record<string, unknown>): DeliveryRecord {
  const optional = (value: unknown) => (value === null || value === undefined ? null : String(value));
  return {
    client: String(row.client),
    week: String(row.week),
    briefSha256: String(row.brief_sha256),
    messageId: optional(row.message_id),
    status: row.status as DeliveryStatus,
    attempts: Number(row.attempts),
    error: optional(row.error),
    at: String(row.recorded_at),
    runId: String(row.run_id),
  };
}
