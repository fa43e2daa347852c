/**
 * The store a test collector runs on: SQLite in its data dir (the default), or, with
 * TILLIT_TEST_STORE=pg, a schema of its own in the test PostgreSQL (`npm test` runs the collector's
 * integration tests and the collector-facing browser tests both ways). Either way a test reads rows
 * with the same SQL (`?` placeholders) and gets them in SQLite's shapes (booleans 0/1, numbers).
 */
import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import pg from 'pg';
import type { CollectorConfigInput } from './config.js';
import type { Collector } from './server.js';
import type { PgStore } from './pg/pg-store.js';
import type { SqliteStore } from './sqlite-store.js';
import { quoteIdent } from './pg/migrations.js';
import { adminQuery, TEST_DATABASE_URL } from './pg/test-database.js';

export type TestStoreKind = 'sqlite' | 'pg';

/** The store the tests of this process run on (TILLIT_TEST_STORE=pg for PostgreSQL). */
export function testStoreKind(): TestStoreKind {
  return process.env.TILLIT_TEST_STORE === 'pg' ? 'pg' : 'sqlite';
}

/** A test collector's database, read the same way on both stores. */
export interface TestDatabase {
  kind: TestStoreKind;
  /** The column that orders events by arrival (SQLite's rowid alias, PostgreSQL's sequence). */
  arrival: string;
  /** An SQL expression for the JSON value at `path` (e.g. 'properties.tab') of an event's payload. */
  json(path: string): string;
  /** Rows of `sql` (`?` placeholders). */
  query<T = Record<string, unknown>>(sql: string, ...params: unknown[]): Promise<T[]>;
  /** The `n` column of a `SELECT count(*) AS n …` query. */
  count(sql: string, ...params: unknown[]): Promise<number>;
  /** Every "table.column" holding `needle`, over every table (erasure checks). */
  cellsContaining(needle: string): Promise<string[]>;
}

// Every collector on one database must hash ids with the same key; tests on PostgreSQL use this one.
const PG_SERVER_KEY = 'test-server-key-'.padEnd(40, 'k');
const BOOL_OID = 16;
const INT8_OID = 20;
const pgTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === INT8_OID) return Number;
    if (oid === BOOL_OID) return (value: string) => (value === 't' ? 1 : 0);
    return pg.types.getTypeParser(oid, format);
  }) as typeof pg.types.getTypeParser,
};

/** PostgreSQL test schemas by data dir: a collector restarted on the same data dir finds its database again. */
const pgSchemas = new Map<string, { url: string; schema: string; pool: pg.Pool | undefined }>();

/**
 * The configuration that puts a test collector in `dataDir` on the store of this process; on PostgreSQL,
 * the test server unless `url` names another (a private one that a fault test restarts).
 */
export function testStoreConfig(dataDir: string, kind = testStoreKind(), url = TEST_DATABASE_URL): Partial<CollectorConfigInput> {
  if (kind === 'sqlite') return {};
  let entry = pgSchemas.get(dataDir);
  if (!entry) {
    // Made by the collector's own migration at start ("made if missing"), dropped by dropTestStore.
    entry = { url, schema: `tillit_test_${randomBytes(6).toString('hex')}`, pool: undefined };
    pgSchemas.set(dataDir, entry);
  }
  return { database: { url: entry.url, schema: entry.schema, poolMax: 4 }, serverKey: PG_SERVER_KEY };
}

/** Drops the PostgreSQL schema of `dataDir` (nothing on SQLite: the data dir holds the database). */
export async function dropTestStore(dataDir: string): Promise<void> {
  const entry = pgSchemas.get(dataDir);
  if (!entry) return;
  pgSchemas.delete(dataDir);
  await entry.pool?.end();
  await adminQuery(`DROP SCHEMA IF EXISTS ${quoteIdent(entry.schema)} CASCADE`, [], entry.url);
}

/** `?` placeholders as PostgreSQL's `$1`, `$2`, … (test SQL has no `?` inside literals). */
const numbered = (sql: string) => {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
};

function pgDatabase(collector: Collector, dataDir: string): TestDatabase {
  const entry = pgSchemas.get(dataDir)!;
  // The collector makes its schema when it starts, lazily; a test may read before its first request.
  // Started on the first read only: a start left unawaited would reject unhandled once the schema is dropped.
  let started: Promise<void> | undefined;
  const pool = () => {
    if (!entry.pool) {
      entry.pool = new pg.Pool({
        connectionString: entry.url,
        options: `-c search_path=${entry.schema}`,
        max: 2,
        types: pgTypes,
      });
      // An idle connection cut by a restarted server (fault tests) must not fail the test: the next query reconnects.
      entry.pool.on('error', () => {});
    }
    return entry.pool;
  };
  const query = async <T>(sql: string, ...params: unknown[]) => {
    started ||= (collector.store as PgStore).start();
    await started;
    return (await pool().query(numbered(sql), params)).rows as T[];
  };
  return {
    kind: 'pg',
    arrival: 'seq',
    // jsonb, parsed by the client: numbers come back as numbers, as json_extract gives them on SQLite.
    json: (path) => `(payload::jsonb #> '{${path.split('.').join(',')}}')`,
    query,
    count: async (sql, ...params) => (await query<{ n: number }>(sql, ...params))[0]!.n,
    cellsContaining: async (needle) => {
      const columns = await query<{ t: string; c: string }>(
        'SELECT table_name AS t, column_name AS c FROM information_schema.columns WHERE table_schema = ? ORDER BY t, c',
        entry.schema,
      );
      const found: string[] = [];
      for (const { t, c } of columns) {
        const sql = `SELECT count(*) AS n FROM ${quoteIdent(t)} WHERE strpos(CAST(${quoteIdent(c)} AS text), ?) > 0`;
        if ((await query<{ n: number }>(sql, needle))[0]!.n > 0) found.push(`${t}.${c}`);
      }
      return found;
    },
  };
}

function sqliteDatabase(db: Database.Database): TestDatabase {
  const query = async <T>(sql: string, ...params: unknown[]) => {
    const statement = db.prepare(sql);
    // An INSERT or UPDATE returns no rows, as on PostgreSQL.
    if (statement.reader) return statement.all(...params) as T[];
    statement.run(...params);
    return [];
  };
  return {
    kind: 'sqlite',
    arrival: 'id',
    json: (path) => `json_extract(payload, '$.${path}')`,
    query,
    count: async (sql, ...params) => (db.prepare(sql).get(...params) as { n: number }).n,
    cellsContaining: async (needle) => {
      const found: string[] = [];
      for (const { name } of db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]) {
        for (const column of db.prepare(`PRAGMA table_info("${name}")`).all() as { name: string }[]) {
          const sql = `SELECT count(*) AS n FROM "${name}" WHERE instr(CAST("${column.name}" AS TEXT), ?) > 0`;
          if ((db.prepare(sql).get(needle) as { n: number }).n > 0) found.push(`${name}.${column.name}`);
        }
      }
      return found;
    },
  };
}

/** The database of a test collector started with testStoreConfig(dataDir). */
export function testDatabase(collector: Collector, dataDir: string): TestDatabase {
  if (pgSchemas.has(dataDir)) return pgDatabase(collector, dataDir);
  return sqliteDatabase((collector.store as SqliteStore).db);
}

/** The live SQLite database, for the tests that are about SQLite itself; a clear error on PostgreSQL. */
export function sqliteOnly(collector: Collector): SqliteStore['db'] {
  const db = (collector.store as Partial<SqliteStore>).db;
  if (!db) throw new Error('[tillit] this test reads SQLite directly: run it with TILLIT_TEST_STORE unset');
  return db;
}
