import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Database } from '../src/db.js';
import { openStateDatabase } from '../src/state-database.js';
import { tempDir } from './helpers/temp.js';

const PLAIN = `SELECT * FROM (VALUES
    (true, 1::TINYINT, 2::SMALLINT, 3::INTEGER, 4::UTINYINT, 5::USMALLINT, 6::UINTEGER, 1.5::FLOAT, 0.25::DOUBLE, 'a'),
    (NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'nan'::FLOAT, 'inf'::DOUBLE, NULL),
    (false, -1::TINYINT, -2::SMALLINT, -3::INTEGER, 0::UTINYINT, 0::USMALLINT, 4294967295::UINTEGER, '-inf'::FLOAT, 'nan'::DOUBLE, '')
  ) AS t(b, ti, si, i, ut, us, ui, f, d, v)`;

describe('query rows', () => {
  it('gives plain columns as JSON rows', async () => {
    const db = await Database.open();
    try {
      const expected = (await db.connection.runAndReadAll(PLAIN)).getRowObjectsJson();

      const rows = await db.query(PLAIN);

      expect(rows).toEqual(expected);
      expect(rows[1]).toEqual({ b: null, ti: null, si: null, i: null, ut: null, us: null, ui: null, f: 'NaN', d: 'Infinity', v: null });
      expect(rows[2].ui).toBe(4294967295);
    } finally {
      db.close();
    }
  });

  it('gives other columns as JSON rows', async () => {
    const db = await Database.open();
    try {
      const sql = `SELECT 12345678901234::BIGINT AS n, TIMESTAMPTZ '2025-02-17 10:00:00+00' AS ts, [1, 2] AS list, 'x' AS v`;

      const rows = await db.query(sql);

      expect(rows).toEqual([{ n: '12345678901234', ts: '2025-02-17 10:00:00+00', list: [1, 2], v: 'x' }]);
    } finally {
      db.close();
    }
  });
});

describe('query files', () => {
  it('names a result column a query lost', async () => {
    const queries = tempDir();
    writeFileSync(path.join(queries, 'macros.sql'), 'SELECT 1;\n');
    writeFileSync(path.join(queries, 'top.sql'), 'SELECT 22 AS port, 5 AS distinct_sources, 1 AS extra;\n');
    const db = await Database.open({ queriesDir: queries });
    try {
      await expect(db.queryFile('top.sql', undefined, ['port', 'sources'])).rejects.toThrow(
        "queries/top.sql: the result has no column 'sources'; it has port, distinct_sources, extra. portbrief reads port, sources: keep those names (add columns freely).",
      );
      expect(await db.queryFile('top.sql', undefined, ['port'])).toEqual([{ port: 22, distinct_sources: 5, extra: 1 }]);
    } finally {
      db.close();
    }
  });
});

describe('extension downloads', () => {
  it('off in the working database', async () => {
    const db = await Database.open();
    try {
      const [row] = await db.query(`SELECT current_setting('autoinstall_known_extensions') AS autoinstall`);

      expect(row.autoinstall).toBe(false);
    } finally {
      db.close();
    }
  });

  it('off in the state database', async () => {
    const instance = await openStateDatabase(tempDir());
    const connection = await instance.connect();
    try {
      const reader = await connection.runAndReadAll(`SELECT current_setting('autoinstall_known_extensions') AS autoinstall`);

      expect(reader.getRowObjectsJson()).toEqual([{ autoinstall: false }]);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });
});
