import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance, DuckDBTypeId, LIST, VARCHAR, listValue, type DuckDBConnection, type DuckDBResultReader, type DuckDBType, type DuckDBValue } from '@duckdb/node-api';
import { PortbriefError, messageOf } from './errors.js';
import { QUERIES_DIR } from './paths.js';

/** DuckDB's memory limit unless PORTBRIEF_MEMORY_LIMIT sets another (DuckDB's size syntax, such as 8GB). */
export const DEFAULT_MEMORY_LIMIT = '2GB';

/**
 * DuckDB options that stop automatic extension installs. DuckDB 1.5 downloads
 * a missing extension the first time a query needs one (the INET type, https://
 * paths). A weekly job must not fetch and run code unasked, so such a query
 * fails with an error that names the extension to install.
 */
export const NO_EXTENSION_DOWNLOADS = { autoinstall_known_extensions: 'false' };

export type Params = Record<string, DuckDBValue | TextList>;

/** A list of strings bound as VARCHAR[], typed so that an empty list binds too. */
export class TextList {
  constructor(readonly items: readonly string[]) {}
}

function bind(params: Params | undefined): { values?: Record<string, DuckDBValue>; types?: Record<string, DuckDBType> } {
  if (!params) return {};
  const values: Record<string, DuckDBValue> = {};
  const types: Record<string, DuckDBType> = {};
  for (const [name, value] of Object.entries(params)) {
    if (value instanceof TextList) {
      values[name] = listValue([...value.items]);
      types[name] = LIST(VARCHAR);
    } else {
      values[name] = value;
    }
  }
  return { values, types: Object.keys(types).length > 0 ? types : undefined };
}
export type Row = Record<string, unknown>;

/** Column types whose JSON form is the value itself, apart from a non-finite float. */
const PLAIN_TYPES = new Set<DuckDBTypeId>([
  DuckDBTypeId.BOOLEAN,
  DuckDBTypeId.TINYINT,
  DuckDBTypeId.SMALLINT,
  DuckDBTypeId.INTEGER,
  DuckDBTypeId.UTINYINT,
  DuckDBTypeId.USMALLINT,
  DuckDBTypeId.UINTEGER,
  DuckDBTypeId.FLOAT,
  DuckDBTypeId.DOUBLE,
  DuckDBTypeId.VARCHAR,
]);

/**
 * Returns a result's rows as the objects getRowObjectsJson gives. Results
 * of plain columns only are built from the column arrays directly, two to
 * three times faster on the tens of thousands of rows a ranking returns.
 */
function rowObjects(reader: DuckDBResultReader): Row[] {
  const types = reader.columnTypes();
  if (!types.every((type) => PLAIN_TYPES.has(type.typeId))) return reader.getRowObjectsJson() as Row[];

  const names = reader.columnNames();
  const columns = reader.getColumns();
  const rows: Row[] = [];
  for (let index = 0; index < reader.currentRowCount; index++) {
    const row: Row = {};
    for (let column = 0; column < names.length; column++) {
      const value = columns[column][index];
      // JSON has no NaN or Infinity, so getRowObjectsJson gives them as text.
      row[names[column]] = typeof value === 'number' && !Number.isFinite(value) ? String(value) : value;
    }
    rows.push(row);
  }
  return rows;
}

/**
 * One DuckDB database for a run, with the SQL of queries/ loaded by name.
 * Every error from a query file is reported with that file's name, because
 * analysts edit those files and need to know which one to fix.
 */
export class Database {
  private constructor(
    private readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection,
    private readonly queryFolders: string[],
  ) {}

  /** The file each query name was read from, for error messages. */
  private readonly queryFiles = new Map<string, string>();

  /**
   * Opens an in-memory database in UTC, so ISO weeks and timestamps never
   * depend on the host's zone. `queriesDir` is the SQL folder, or several,
   * most specific first: each query is read from the first folder that has it.
   */
  static async open(options: { queriesDir?: string | string[]; tempDir?: string } = {}): Promise<Database> {
    // DuckDB takes 80% of the machine's memory by default. A fixed limit makes
    // large archives spill to temporary files instead, so a weekly run stays
    // within a predictable footprint next to Chromium.
    const memoryLimit = process.env.PORTBRIEF_MEMORY_LIMIT ?? DEFAULT_MEMORY_LIMIT;
    const instance = await DuckDBInstance.create(':memory:', {
      ...NO_EXTENSION_DOWNLOADS,
      memory_limit: memoryLimit,
      temp_directory: options.tempDir ?? path.join(tmpdir(), 'portbrief-duckdb'),
    });
    const connection = await instance.connect();
    await connection.run("SET TimeZone = 'UTC'");
    const folders = [options.queriesDir ?? QUERIES_DIR].flat();
    const db = new Database(instance, connection, folders);
    await db.runFile('macros.sql');
    return db;
  }

  /** Reads the text of the query file `name` from the first SQL folder that has it. */
  async readQuery(name: string): Promise<string> {
    for (const [index, folder] of this.queryFolders.entries()) {
      const file = path.join(folder, name);
      try {
        const text = await readFile(file, 'utf8');
        this.queryFiles.set(name, file);
        return text;
      } catch (error) {
        // An override folder holds only the files it changes, so a missing one is read from the next folder.
        if ((error as NodeJS.ErrnoException).code === 'ENOENT' && index < this.queryFolders.length - 1) continue;
        throw new PortbriefError(`Cannot read query file ${file}: ${messageOf(error)}.`, { cause: error });
      }
    }
    throw new PortbriefError(`Cannot read query file ${name}: no SQL folder is set.`);
  }

  /** Names a query file as errors show it: queries/<name> for a shipped one, the full path for an override. */
  private where(origin: string): string {
    if (!origin.endsWith('.sql')) return origin;
    const file = this.queryFiles.get(origin);
    return file === undefined || path.dirname(file) === path.resolve(this.queryFolders.at(-1)!) ? path.join('queries', origin) : file;
  }

  /** Runs every statement of a query file that takes no parameters. */
  async runFile(name: string): Promise<void> {
    const sql = await this.readQuery(name);
    await this.run(sql, undefined, name);
  }

  /**
   * Runs every statement of a query file, binding to each only the named
   * parameters it uses (DuckDB cannot prepare several statements at once).
   */
  async runScript(name: string, params: Params = {}): Promise<void> {
    const sql = await this.readQuery(name);
    const { values, types } = bind(params);
    try {
      const statements = await this.connection.extractStatements(sql);
      for (let index = 0; index < statements.count; index++) {
        const prepared = await statements.prepare(index);
        try {
          const names = Array.from({ length: prepared.parameterCount }, (_, i) => prepared.parameterName(i + 1));
          if (names.length > 0) {
            prepared.bind(
              Object.fromEntries(names.map((parameter) => [parameter, values?.[parameter] ?? null])),
              types ? Object.fromEntries(names.map((parameter) => [parameter, types[parameter]])) : undefined,
            );
          }
          await prepared.run();
        } finally {
          prepared.destroySync();
        }
      }
    } catch (error) {
      throw queryError(this.where(name), error);
    }
  }

  /**
   * Runs a query file with bound parameters and returns its rows as plain
   * objects. `columns` are the result columns the caller reads: an edited
   * query that drops or renames one fails here, naming the file and the
   * column, instead of leaving a value undefined for a template to trip on.
   */
  async queryFile(name: string, params?: Params, columns: readonly string[] = []): Promise<Row[]> {
    const reader = await this.read(await this.readQuery(name), params, name);
    const present = reader.columnNames();
    const missing = columns.filter((column) => !present.includes(column));
    if (missing.length > 0) {
      throw new PortbriefError(
        `${this.where(name)}: the result has no column ${missing.map((column) => `'${column}'`).join(', ')}; it has ${present.join(', ')}. portbrief reads ${columns.join(', ')}: keep those names (add columns freely).`,
      );
    }
    return rowObjects(reader);
  }

  /** Runs SQL that returns nothing of interest. `origin` names the file or step for error messages. */
  async run(sql: string, params?: Params, origin = 'SQL'): Promise<void> {
    try {
      const { values, types } = bind(params);
      await this.connection.run(sql, values, types);
    } catch (error) {
      throw queryError(this.where(origin), error);
    }
  }

  /** Runs SQL and returns its rows as JSON-safe objects (BIGINT as string: cast in SQL where numbers are wanted). */
  async query(sql: string, params?: Params, origin = 'SQL'): Promise<Row[]> {
    return rowObjects(await this.read(sql, params, origin));
  }

  /** Runs SQL and reads its whole result. */
  private async read(sql: string, params: Params | undefined, origin: string): Promise<DuckDBResultReader> {
    try {
      const { values, types } = bind(params);
      return await this.connection.runAndReadAll(sql, values, types);
    } catch (error) {
      throw queryError(this.where(origin), error);
    }
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

function queryError(where: string, error: unknown): PortbriefError {
  return new PortbriefError(`${where}: ${messageOf(error)}`, { cause: error });
}

/** Quotes a string as an SQL literal, for the few places DuckDB does not take a bound parameter (table functions' file lists). */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** Quotes an identifier such as a column name taken from the config. */
export function sqlIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
