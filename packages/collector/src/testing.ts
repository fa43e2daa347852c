import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CollectorConfigInput } from './config.js';
import { type Collector, createCollector } from './server.js';
import type { SqliteStore } from './sqlite-store.js';
import {
  dropTestStore,
  sqliteOnly,
  type TestDatabase,
  type TestStoreKind,
  testDatabase,
  testStoreConfig,
  testStoreKind,
} from './test-store.js';

export { type TestDatabase, type TestStoreKind, testStoreKind } from './test-store.js';
export { type PrivatePostgres, privatePostgresMissing, startPrivatePostgres } from './pg/private-server.js';

export const TEST_WRITE_KEY = 'test-write-key';
export const TEST_ORIGIN = 'http://shop.test';

/** The body of a banner's consent record for the test site: analytics granted, binding the subject's secret. */
export function consentBody(subject: { id: string; secret: string }, extra: Record<string, unknown> = {}) {
  return {
    writeKey: TEST_WRITE_KEY,
    anonymousId: subject.id,
    secret: subject.secret,
    purposes: { analytics: true },
    policyVersion: '2026-11',
    source: 'banner',
    timestamp: new Date().toISOString(),
    ...extra,
  };
}

export interface RunningCollector {
  collector: Collector;
  url: string;
  dataDir: string;
  /** The collector's live database, SQLite or PostgreSQL, to check rows with SQL. */
  sql: TestDatabase;
  /** The live SQLite database, for tests about SQLite itself (throws on PostgreSQL). */
  readonly db: SqliteStore['db'];
  stop(): Promise<void>;
  /** Stops and removes the data directory (and the PostgreSQL schema). */
  destroy(): Promise<void>;
}

/**
 * A real collector on an ephemeral port with a real SQLite file in a temp dir, or with
 * TILLIT_TEST_STORE=pg a schema of its own in the test PostgreSQL. Started again on the same
 * `dataDir`, it finds the same database.
 */
export async function startCollector(
  overrides: Partial<CollectorConfigInput> = {},
  dataDir = mkdtempSync(join(tmpdir(), 'tillit-collector-')),
  /** The store; by default TILLIT_TEST_STORE's (SQLite unless it says pg). */
  store: TestStoreKind = testStoreKind(),
  /** On PostgreSQL, another server than the test one (a private one that a fault test restarts). */
  databaseUrl?: string,
): Promise<RunningCollector> {
  const collector = createCollector({
    port: 0,
    dataDir,
    sites: [{ name: 'test', writeKey: TEST_WRITE_KEY, origins: [TEST_ORIGIN] }],
    durability: 'normal',
    // A request log line per request would bury the test output.
    logLevel: 'silent',
    ...testStoreConfig(dataDir, store, databaseUrl),
    ...overrides,
  });
  const url = await collector.listen();
  return {
    collector,
    url,
    dataDir,
    sql: testDatabase(collector, dataDir),
    get db() {
      return sqliteOnly(collector);
    },
    stop: () => collector.close(),
    destroy: async () => {
      await collector.close();
      await dropTestStore(dataDir);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface StoredEvent {
  type: string;
  event: string | null;
  userId: string | null;
  anonymousId: string | null;
  /** The stored event as JSON. */
  payload: Record<string, any>;
}

/** Every stored event in arrival order, to check what a client delivered. */
export async function storedEvents(sql: TestDatabase): Promise<StoredEvent[]> {
  const rows = await sql.query<Omit<StoredEvent, 'payload'> & { payload: string }>(
    `SELECT type, event, user_id AS "userId", anonymous_id AS "anonymousId", payload FROM events ORDER BY ${sql.arrival}`,
  );
  return rows.map((row) => ({ ...row, payload: JSON.parse(row.payload) }));
}

export { type SeedOptions, type SeedResult, seedSimulatedShop } from './simulated-traffic.js';
