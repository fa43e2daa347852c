import { readFileSync } from 'node:fs';
import type { CollectorConfig } from './config.js';
import { PgStore } from './pg/pg-store.js';
import { SqliteStore } from './sqlite-store.js';
import type { Store, SubjectRef } from './store.js';

/** The store the configuration names: PostgreSQL with `database`, else SQLite in `dataDir` (the default). */
export function openStore(
  config: CollectorConfig,
  hashOf: (site: string, kind: SubjectRef['kind'], id: string) => string,
  /** For a one-off reader beside the running collector: SQLite takes no data-dir lock. */
  options: { reader?: boolean } = {},
): Store {
  const db = config.database;
  if (!db) {
    const { dataDir, durability, writerThread } = config;
    return new SqliteStore({ dataDir, durability, writerThread, lock: options.reader !== true });
  }
  return new PgStore({
    url: db.url,
    schema: db.schema,
    poolMax: db.poolMax,
    statementTimeoutMs: db.statementTimeoutMs,
    // With several collectors, only the database knows every erasure: it checks suppressions at ingest.
    hashOf,
    ...(db.tls
      ? {
          ssl: {
            rejectUnauthorized: db.tls.rejectUnauthorized,
            ...(db.tls.caFile ? { ca: readFileSync(db.tls.caFile, 'utf8') } : {}),
          },
        }
      : {}),
  });
}
