import { randomBytes, randomUUID } from 'node:crypto';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { type RunningCollector, TEST_WRITE_KEY, startCollector } from './testing.js';

// Issue 15 item 8: the consent log is proof (Art. 7(1)). Every statement that could rewrite a stored
// record is tried on the real collector's SQLite file, after the record came in over HTTP.

let running: RunningCollector;
beforeEach(async () => {
  running = await startCollector();
});
afterEach(async () => {
  await running.destroy();
});

async function consentOverHttp(anonymousId: string, secret: string) {
  const res = await fetch(`${running.url}/v1/consent`, {
    method: 'POST',
    body: JSON.stringify({
      writeKey: TEST_WRITE_KEY,
      anonymousId,
      secret,
      purposes: { analytics: false },
      policyVersion: '2026-11',
      source: 'banner',
      timestamp: new Date().toISOString(),
      url: 'https://shop.test/checkout',
    }),
  });
  return ((await res.json()) as { receiptId: string }).receiptId;
}

const record = (receiptId: string) =>
  running.db.prepare('SELECT * FROM consent_records WHERE receipt_id = ?').get(receiptId) as Record<string, unknown>;

it('refuses to replace, rewrite or delete a stored consent record, with any statement', async () => {
  const receiptId = await consentOverHttp(randomUUID(), randomBytes(32).toString('base64url'));
  const before = record(receiptId);
  const columns = `receipt_id, site, purposes, policy_version, source, decided_at, received_at`;
  const forged = `'${receiptId}', 'test', '{"analytics":true}', '2026-11', 'banner', '2026-01-01T00:00:00Z', 1`;
  const statements = [
    `INSERT OR REPLACE INTO consent_records (${columns}) VALUES (${forged})`,
    `REPLACE INTO consent_records (${columns}) VALUES (${forged})`,
    `INSERT INTO consent_records (${columns}) VALUES (${forged}) ON CONFLICT (receipt_id) DO UPDATE SET purposes = excluded.purposes`,
    `INSERT OR REPLACE INTO consent_records (id, ${columns}) VALUES (${before.id}, 'new-receipt', 'test', '{"analytics":true}', '2026-11', 'banner', 'x', 1)`,
    `UPDATE consent_records SET purposes = '{"analytics":true}'`,
    `UPDATE consent_records SET url = 'https://evil.test/'`,
    `UPDATE consent_records SET locale = 'xx'`,
    `UPDATE consent_records SET id = id + 100`,
    'DELETE FROM consent_records',
  ];
  for (const sql of statements) expect(() => running.db.prepare(sql).run(), sql).toThrow(/append-only/);
  expect(record(receiptId)).toEqual(before);
});

it('lets erasure pseudonymise a record once, and nothing change it after that', async () => {
  const anonymousId = randomUUID();
  const secret = randomBytes(32).toString('base64url');
  const receiptId = await consentOverHttp(anonymousId, secret);
  const erased = await fetch(`${running.url}/v1/subjects/${anonymousId}`, {
    method: 'DELETE',
    headers: { Authorization: `Bearer ${secret}` },
  });
  expect(erased.status).toBe(200);
  const proof = record(receiptId);
  expect(proof).toMatchObject({ anonymous_id: null, user_id: null, url: null, purposes: '{"analytics":false}' });
  expect(proof.subject_hash).toMatch(/^[0-9a-f]{64}$/);
  const statements = [
    `UPDATE consent_records SET url = 'https://shop.test/?email=a@b.se'`,
    `UPDATE consent_records SET subject_hash = '${'0'.repeat(64)}'`,
    'UPDATE consent_records SET id = id + 100',
    `UPDATE consent_records SET anonymous_id = '${anonymousId}'`,
  ];
  for (const sql of statements) expect(() => running.db.prepare(sql).run(), sql).toThrow(/append-only/);
  expect(record(receiptId)).toEqual(proof);
});

it('puts the current append-only rules on a database made by the version before them', async () => {
  await running.stop();
  const { default: Database } = await import('better-sqlite3');
  // Back to schema version 2: no insert trigger, the old update trigger, no proven or count column, no outbox,
  // no subject_secrets.
  const old = new Database(`${running.dataDir}/tillit.db`);
  old.exec(`DROP TRIGGER consent_records_append_only_insert;
    DROP TRIGGER consent_records_append_only_update;
    CREATE TRIGGER consent_records_append_only_update BEFORE UPDATE ON consent_records
    WHEN NEW.purposes IS NOT OLD.purposes OR NEW.subject_hash IS NULL
    BEGIN SELECT RAISE(ABORT, 'consent_records is append-only'); END;
    DROP INDEX audit_log_denied;
    ALTER TABLE audit_log DROP COLUMN count;
    ALTER TABLE identity_links DROP COLUMN proven;
    DROP TABLE outbox;
    DROP TABLE subject_secrets;
    DELETE FROM schema_migrations WHERE version >= 3;`);
  old.close();
  running = await startCollector({}, running.dataDir);
  const receiptId = await consentOverHttp(randomUUID(), randomBytes(32).toString('base64url'));
  const replace = `INSERT OR REPLACE INTO consent_records (receipt_id, site, purposes, policy_version, source, decided_at, received_at)
    VALUES ('${receiptId}', 'test', '{}', 'v', 'api', 'x', 1)`;
  expect(() => running.db.prepare(replace).run()).toThrow(/append-only/);
  expect(() => running.db.prepare(`UPDATE consent_records SET url = 'x'`).run()).toThrow(/append-only/);
});
