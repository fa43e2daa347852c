import { parseArgs } from 'node:util';
import { loadConfig } from './config.js';
import type { PgStore } from './pg/pg-store.js';
import { openStore } from './open-store.js';
import { SqliteStore } from './sqlite-store.js';

/**
 * `tillit-collector migrate`: brings the configured database's schema up to date and exits, so that an
 * operator can migrate before rolling out new collectors (they also migrate at start, under a lock).
 */
export async function migrateCommand(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const { values } = parseArgs({ args, options: { config: { type: 'string' } } });
  const config = loadConfig(env, values.config ?? env.TILLIT_CONFIG);
  if (!config.database) {
    // Opening applies the migrations.
    const store = new SqliteStore({ dataDir: config.dataDir, writerThread: false });
    const { v } = store.db.prepare('SELECT max(version) AS v FROM schema_migrations').get() as { v: number };
    await store.close();
    return `[tillit-collector] SQLite ${store.path}: schema at version ${v}`;
  }
  const store = openStore(config, () => '') as PgStore;
  try {
    const { from, to } = await store.migrate();
    return `[tillit-collector] PostgreSQL schema ${config.database.schema}: version ${from} -> ${to}`;
  } finally {
    await store.close();
  }
}
