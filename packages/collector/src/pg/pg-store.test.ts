import { afterEach, expect, it } from 'vitest';
import type { EventRow } from '../store.js';
import { LATEST_VERSION } from './migrations.js';
import { PgStore } from './pg-store.js';
import { type TestSchema, adminQuery, createTestSchema } from './test-database.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function newSchema(): Promise<TestSchema> {
  const schema = await createTestSchema();
  cleanups.push(schema.drop);
  return schema;
}

async function newStore(schema?: TestSchema, hashOf?: (site: string, kind: string, id: string) => string) {
  const s = schema ?? (await newSchema());
  const store = new PgStore({ url: s.url, schema: s.schema, poolMax: 4, ...(hashOf ? { hashOf } : {}) });
  cleanups.push(() => store.close());
  return store;
}

let n = 0;
const row = (extra: Partial<EventRow> = {}): EventRow => ({
  messageId: `m-${++n}`,
  site: 'test',
  type: 'track',
  event: 'Viewed',
  anonymousId: 'anon-1',
  userId: null,
  timestamp: 1,
  receivedAt: Date.now(),
  payload: '{}',
  ...extra,
});
const audit = { at: 2, site: 'test', action: 'erase', subjectHash: 'hash', via: 'secret', outcome: 'ok', receiptId: null };

it('migrates once when two collectors start together, and records every version', async () => {
  const schema = await newSchema();
  const [a, b] = [await newStore(schema), await newStore(schema)];
  await Promise.all([a.start(), b.start()]);
  const versions = await adminQuery<{ version: number }>(
    `SELECT version FROM ${schema.schema}.schema_migrations ORDER BY version`,
  );
  expect(versions.map((v) => v.version)).toEqual(Array.from({ length: LATEST_VERSION }, (_, i) => i + 1));
});

it('refuses to start on a schema newer than it knows', async () => {
  const schema = await newSchema();
  await (await newStore(schema)).start();
  await adminQuery(`INSERT INTO ${schema.schema}.schema_migrations (version, name) VALUES ($1, 'from the future')`, [
    LATEST_VERSION + 1,
  ]);
  await expect((await newStore(schema)).start()).rejects.toThrow(
    `schema is at version ${LATEST_VERSION + 1}, newer than this collector knows (${LATEST_VERSION})`,
  );
});

it('commits concurrent requests in one group and stores a messageId once, even twice in one group', async () => {
  const store = await newStore();
  const first = row();
  const answers = await Promise.all([
    store.insertEvents([first, row()]),
    store.insertEvents([{ ...first }, row({ type: 'identify', event: null, userId: 'user-1' })]),
  ]);
  expect(answers).toEqual([
    [true, true],
    [false, true],
  ]);
  expect(await store.insertEvents([first])).toEqual([false]);
  expect(await store.countEvents()).toBe(3);
  const links = await store.pool.query('SELECT anonymous_id AS a, user_id AS u FROM identity_links');
  expect(links.rows).toEqual([{ a: 'anon-1', u: 'user-1' }]);
});

it('drops events of a subject another collector erased, in the insert itself', async () => {
  const schema = await newSchema();
  const hashOf = (site: string, kind: string, id: string) => `${site}:${kind}:${id}`;
  const [a, b] = [await newStore(schema, hashOf), await newStore(schema, hashOf)];
  await a.insertEvents([row()]);
  const counts = await a.eraseSubject(
    { site: 'test', kind: 'anonymous', id: 'anon-1' },
    'hash',
    (kind, id) => hashOf('test', kind, id),
    audit,
    () => {},
  );
  expect(counts.events).toBe(1);
  // b never loaded the suppression: the database holds it.
  expect(await b.insertEvents([row(), row({ anonymousId: 'anon-2' })])).toEqual([false, true]);
  expect(await b.countEvents()).toBe(1);
});

it('keeps the consent log append-only: the trigger for everyone, and the collector role has no UPDATE or DELETE', async () => {
  const store = await newStore();
  await store.appendConsent(
    {
      receiptId: 'r-1',
      recordId: null,
      site: 'test',
      anonymousId: 'anon-1',
      userId: null,
      purposes: '{"analytics":true}',
      policyVersion: '1',
      source: 'banner',
      textHash: null,
      decidedAt: new Date(0).toISOString(),
      receivedAt: 1,
      locale: null,
      url: null,
    },
    null,
  );
  await expect(store.pool.query("UPDATE consent_records SET purposes = '{}'")).rejects.toThrow(
    /permission denied for table consent_records/,
  );
  await expect(store.pool.query('DELETE FROM consent_records')).rejects.toThrow(/permission denied/);
  const owner = `${store.schema}.consent_records`;
  await expect(adminQuery(`UPDATE ${owner} SET purposes = '{}'`)).rejects.toThrow(/append-only/);
  await expect(adminQuery(`DELETE FROM ${owner}`)).rejects.toThrow(/append-only/);
  await expect(adminQuery(`TRUNCATE ${owner}`)).rejects.toThrow(/append-only/);
});

it('drops whole month partitions that retention passed, and deletes older rows in the others', async () => {
  const store = await newStore();
  await store.start();
  const month = Date.UTC(2020, 0, 15);
  const s = store.schema;
  await adminQuery(
    `CREATE TABLE ${s}.events_m202001 PARTITION OF ${s}.events FOR VALUES FROM (${Date.UTC(2020, 0, 1)}) TO (${Date.UTC(2020, 1, 1)})`,
  );
  await store.insertEvents([row({ receivedAt: month }), row({ receivedAt: month }), row({ receivedAt: 5 }), row()]);
  expect(await store.deleteExpired(Date.UTC(2021, 0, 1))).toEqual({ events: 3, identityLinks: 0 });
  const partitions = await store.pool.query(
    "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'events'::regclass AND c.relname = 'events_m202001'",
  );
  expect(partitions.rowCount).toBe(0);
  expect(await store.countEvents()).toBe(1);
  expect((await store.pool.query('SELECT count(*) AS n FROM event_ids')).rows[0].n).toBe(1);
});
