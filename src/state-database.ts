import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { EXIT, type ExitCode, PortbriefError, messageOf } from './errors.js';
import { makeFolder } from './make-folder.js';
import { NO_EXTENSION_DOWNLOADS } from './db.js';

/** Returns the path of the state database (delivery ledger and stored rankings) in a state folder. */
export function stateDatabaseFile(stateDir: string): string {
  return path.join(stateDir, 'portbrief.duckdb');
}

/**
 * Turns DuckDB's error on opening the state database into one that names the
 * file and what to do. DuckDB lets one process at a time open a database file
 * for writing, and its error names the process that has it open.
 */
export function stateDatabaseError(file: string, error: unknown, exitCode: ExitCode = EXIT.failure): PortbriefError {
  const message = messageOf(error);
  if (!/Could not set lock/i.test(message)) {
    return new PortbriefError(`Cannot open the state database ${file}: ${message.split('\n')[0].replace(/\.$/, '')}. Check that the state folder is writable and the file is a DuckDB database.`, { exitCode, cause: error });
  }
  const match = /Conflicting lock is held in (.+?) \(PID (\d+)\)/.exec(message);
  const lockHolder = match ? `${match[1]} (PID ${match[2]})` : 'another process';
  return new PortbriefError(
    `The state database ${file} is locked by ${lockHolder}. Stop that process or wait for it to finish, then rerun${exitCode === EXIT.locked ? '; this run did nothing' : ''}.`,
    { exitCode, cause: error },
  );
}

/**
 * Turns DuckDB's error on writing the state database (a full disk, a
 * read-only file system) into one that names the file and what to do. Other
 * errors, such as one in a query file, are returned as they are.
 */
export function stateWriteError(file: string, error: unknown): unknown {
  const message = messageOf(error);
  if (!/IO Error/.test(message)) return error;
  const reason = (/Original error: (.+)$/m.exec(message)?.[1] ?? message.split('\n')[0]).replace(/\.$/, '');
  return new PortbriefError(`Cannot write the state database ${file}: ${reason}. Free space in the state folder or make it writable, then rerun.`, { cause: error });
}

/** Opens the state database, creating the state folder when needed; errors name the file and what to do. */
export async function openStateDatabase(stateDir: string, exitCode: ExitCode = EXIT.failure): Promise<DuckDBInstance> {
  const file = stateDatabaseFile(stateDir);
  await makeFolder(stateDir);
  try {
    return await DuckDBInstance.create(file, NO_EXTENSION_DOWNLOADS);
  } catch (error) {
    throw stateDatabaseError(file, error, exitCode);
  }
}

/**
 * Opens and closes the state database, so that a lock held by another
 * process (a DuckDB shell, a second tool) stops the run with exit code 4
 * before it reads the archive, writes a brief or sends mail.
 */
export async function checkStateDatabase(stateDir: string): Promise<void> {
  (await openStateDatabase(stateDir, EXIT.locked)).closeSync();
}
