/**
 * A restored backup does not bring back people erased after it was taken: the erasure ledger beside the
 * database re-applies their erasure at start. Runs on SQLite (the backup: a copy of the database file) and,
 * in the node-pg project, on PostgreSQL (pg_dump of the collector's schema, restored with psql).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { adminQuery, TEST_DATABASE_URL } from './pg/test-database.js';
import { testStoreConfig } from './test-store.js';
import { consentBody, type RunningCollector, startCollector, TEST_WRITE_KEY, testStoreKind } from './testing.js';

const OPERATOR = 'operator-token-'.padEnd(40, 'x');
const backups = mkdtempSync(join(tmpdir(), 'tillit-backup-'));
let running: RunningCollector;
afterEach(async () => {
  await running.destroy();
});

/** A copy of the database as it is now (the collector stopped, as a backup tool would see it at rest). */
function backup(dataDir: string): string {
  const file = join(backups, randomUUID());
  if (testStoreKind() === 'sqlite') {
    copyFileSync(join(dataDir, 'tillit.db'), file);
  } else {
    const { schema } = testStoreConfig(dataDir).database as { schema: string };
    execFileSync('pg_dump', ['--dbname', TEST_DATABASE_URL, '--schema', schema, '--file', file]);
  }
  return file;
}

/** The database replaced by the backup, as an operator restoring it would. */
async function restore(dataDir: string, file: string): Promise<void> {
  if (testStoreKind() === 'sqlite') {
    for (const extra of ['-wal', '-shm']) rmSync(join(dataDir, `tillit.db${extra}`), { force: true });
    copyFileSync(file, join(dataDir, 'tillit.db'));
  } else {
    const { schema } = testStoreConfig(dataDir).database as { schema: string };
    await adminQuery(`DROP SCHEMA "${schema}" CASCADE`);
    execFileSync('psql', ['--dbname', TEST_DATABASE_URL, '--quiet', '--set', 'ON_ERROR_STOP=1', '--file', file]);
  }
}

const start = (dataDir?: string) => startCollector({ operatorToken: OPERATOR }, dataDir);

async function post(path: string, body: unknown) {
  const res = await fetch(`${running.url}${path}`, { method: 'POST', body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}
const track = (anonymousId: string, event: string) =>
  post('/v1/batch', {
    writeKey: TEST_WRITE_KEY,
    batch: [{ type: 'track', event, anonymousId, messageId: randomUUID(), timestamp: new Date().toISOString() }],
  });

it('erases again at start the people a restored backup brings back, and drops their late events', async () => {
  running = await start();
  const { dataDir } = running;
  const gone = { id: randomUUID(), secret: randomBytes(32).toString('base64url') };
  const kept = randomUUID();
  expect((await post('/v1/consent', consentBody(gone))).status).toBe(201);
  expect((await track(gone.id, 'Viewed')).body.accepted).toBe(1);
  expect((await track(kept, 'Viewed')).body.accepted).toBe(1);
  await running.stop();
  const before = backup(dataDir);

  running = await start(dataDir);
  const erased = await fetch(`${running.url}/v1/subjects/${gone.id}`, {
    method: 'DELETE',
    headers: { Authorization: `Bearer ${gone.secret}` },
  });
  expect(erased.status).toBe(200);
  await running.stop();
  const ledger = join(dataDir, 'tillit-erasures.log');
  // Hashes only: no id of the subject in the ledger.
  expect(readFileSync(ledger, 'utf8')).not.toContain(gone.id);

  // The restore alone brings the subject back (what the ledger is for): seen with the ledger set aside.
  await restore(dataDir, before);
  renameSync(ledger, `${ledger}.aside`);
  running = await start(dataDir);
  expect(await running.sql.cellsContaining(gone.id)).not.toEqual([]);
  await running.stop();

  await restore(dataDir, before);
  renameSync(`${ledger}.aside`, ledger);
  running = await start(dataDir);
  expect(await running.sql.cellsContaining(gone.id)).toEqual([]);
  expect(await running.sql.count('SELECT count(*) AS n FROM events WHERE anonymous_id = ?', kept)).toBe(1);
  // A late event of the erased browser is dropped (counted as a duplicate); others are stored.
  expect((await track(gone.id, 'Late')).body).toMatchObject({ accepted: 0, duplicates: 1 });
  expect((await track(kept, 'Later')).body).toMatchObject({ accepted: 1 });
  expect(await running.sql.query(`SELECT action, via, outcome FROM audit_log WHERE via = 'ledger'`)).toEqual([
    { action: 'erase', via: 'ledger', outcome: 'ok' },
  ]);
  // Once re-applied, the next start has nothing to do.
  await running.stop();
  running = await start(dataDir);
  expect(await running.sql.count(`SELECT count(*) AS n FROM audit_log WHERE via = 'ledger'`)).toBe(1);
  expect(existsSync(ledger)).toBe(true);
});
