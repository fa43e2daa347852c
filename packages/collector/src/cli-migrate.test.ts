import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { migrateCommand } from './cli-migrate.js';
import { LATEST_VERSION } from './pg/migrations.js';
import { SQLITE_SCHEMA_VERSION } from './sqlite-schema.js';
import { createTestSchema } from './pg/test-database.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

function configFile(extra: object): string {
  const dir = mkdtempSync(join(tmpdir(), 'tillit-migrate-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'tillit.json');
  const site = { name: 'shop', writeKey: 'key-12345678' };
  writeFileSync(file, JSON.stringify({ sites: [site], serverKey: 'k'.repeat(32), dataDir: join(dir, 'data'), ...extra }));
  return file;
}

it('migrates the PostgreSQL schema named in the config file, and then has nothing left to do', async () => {
  const { url, schema, drop } = await createTestSchema();
  cleanups.push(drop);
  const file = configFile({ database: { url, schema } });
  expect(await migrateCommand(['--config', file], {})).toBe(
    `[tillit-collector] PostgreSQL schema ${schema}: version 0 -> ${LATEST_VERSION}`,
  );
  expect(await migrateCommand(['--config', file], {})).toMatch(`version ${LATEST_VERSION} -> ${LATEST_VERSION}`);
});

it('migrates the SQLite file when no database is configured', async () => {
  const file = configFile({});
  expect(await migrateCommand(['--config', file], {})).toMatch(
    new RegExp(`SQLite .*tillit\\.db: schema at version ${SQLITE_SCHEMA_VERSION}$`),
  );
});
