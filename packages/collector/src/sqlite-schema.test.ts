import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, expect, it } from 'vitest';
import { SQLITE_SCHEMA_VERSION, applySchema } from './sqlite-schema.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function openFile() {
  const dir = mkdtempSync(join(tmpdir(), 'tillit-schema-'));
  dirs.push(dir);
  return join(dir, 'tillit.db');
}

it('records each schema version once, and applies nothing again on the next start', () => {
  const file = openFile();
  const db = new Database(file);
  expect(applySchema(db)).toEqual({ from: 0, to: SQLITE_SCHEMA_VERSION });
  expect(applySchema(db)).toEqual({ from: SQLITE_SCHEMA_VERSION, to: SQLITE_SCHEMA_VERSION });
  expect(db.prepare('SELECT version FROM schema_migrations').all()).toEqual(
    Array.from({ length: SQLITE_SCHEMA_VERSION }, (_, i) => ({ version: i + 1 })),
  );
  db.close();
});

it('refuses a file whose schema is newer than this collector knows', () => {
  const db = new Database(openFile());
  applySchema(db);
  db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'from the future', 0)").run(
    SQLITE_SCHEMA_VERSION + 1,
  );
  expect(() => applySchema(db)).toThrow(`schema is at version ${SQLITE_SCHEMA_VERSION + 1}, newer than this collector knows`);
  db.close();
});
