/**
 * For the collector's own tests: a real collector on a real SQLite file in a temp dir (or PostgreSQL, see test-store.ts), driven
 * in-process through `collector.handle` (no socket), Hono-style. A test that needs a socket calls
 * `collector.listen()` on the same collector.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CollectorConfigInput } from './config.js';
import { type Collector, type CollectorOptions, createCollector } from './server.js';
import type { SqliteStore } from './sqlite-store.js';
import { dropTestStore, sqliteOnly, type TestDatabase, testDatabase, testStoreConfig } from './test-store.js';
import { TEST_ORIGIN, TEST_WRITE_KEY } from './testing.js';

export interface TestCollector {
  collector: Collector;
  dataDir: string;
  /** The collector's live database, SQLite or PostgreSQL (TILLIT_TEST_STORE=pg), to check rows with SQL. */
  sql: TestDatabase;
  /** The live SQLite database, for tests about SQLite itself (throws on PostgreSQL). */
  readonly db: SqliteStore['db'];
  /** `fetch` for a path of this collector, answered in-process. */
  fetch(path: string, init?: RequestInit & { remoteAddress?: string }): Promise<Response>;
  /** Closes the collector, keeping its data directory. */
  stop(): Promise<void>;
  /** Closes it and removes the data directory (and the PostgreSQL schema). */
  destroy(): Promise<void>;
}

export function testCollector(
  overrides: Partial<CollectorConfigInput> = {},
  dataDir = mkdtempSync(join(tmpdir(), 'tillit-collector-')),
  options: CollectorOptions = {},
): TestCollector {
  const collector = createCollector(
    {
      port: 0,
      dataDir,
      sites: [{ name: 'test', writeKey: TEST_WRITE_KEY, origins: [TEST_ORIGIN] }],
      durability: 'normal',
      // A request log line per request would bury the test output.
      logLevel: 'silent',
      ...testStoreConfig(dataDir),
      ...overrides,
    },
    options,
  );
  return {
    collector,
    dataDir,
    sql: testDatabase(collector, dataDir),
    get db() {
      return sqliteOnly(collector);
    },
    fetch: (path, { remoteAddress, ...init } = {}) =>
      collector.handle(new Request(`http://collector.test${path}`, init), remoteAddress ? { remoteAddress } : {}),
    stop: () => collector.close(),
    destroy: async () => {
      await collector.close();
      await dropTestStore(dataDir);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
