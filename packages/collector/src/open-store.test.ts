import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { openStore } from './open-store.js';
import { PgStore } from './pg/pg-store.js';
import { SqliteStore } from './sqlite-store.js';

const env = { TILLIT_WRITE_KEY: 'key-12345678', TILLIT_SERVER_KEY: 'k'.repeat(32) };
const hashOf = () => 'h';

it('opens SQLite by default and PostgreSQL when TILLIT_DATABASE_URL is set', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tillit-open-'));
  const sqlite = openStore(loadConfig({ ...env, TILLIT_DATA_DIR: dataDir }, undefined), hashOf);
  expect(sqlite).toBeInstanceOf(SqliteStore);
  await sqlite.close();
  rmSync(dataDir, { recursive: true, force: true });
  const config = loadConfig({ ...env, TILLIT_DATABASE_URL: 'postgres://tillit@db.internal:5432/tillit' }, undefined);
  expect(config.database).toMatchObject({ url: 'postgres://tillit@db.internal:5432/tillit', schema: 'public', poolMax: 10 });
  const pg = openStore(config, hashOf);
  expect(pg).toBeInstanceOf(PgStore);
  // Nothing connects before the first use.
  await pg.close();
});

it('needs the same server key on every collector of one database, and a postgres URL', () => {
  expect(() => loadConfig({ TILLIT_WRITE_KEY: 'key-12345678', TILLIT_DATABASE_URL: 'postgres://db/tillit' }, undefined)).toThrow(
    /serverKey: required with database: every collector on one database must hash ids with the same key/,
  );
  expect(() => loadConfig({ ...env, TILLIT_DATABASE_URL: 'mysql://db/tillit' }, undefined)).toThrow(
    /database\.url: must be a postgres:\/\/ or postgresql:\/\/ URL/,
  );
});
