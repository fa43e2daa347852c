// Readiness on both stores: ready, then not ready (503) when the store is unreachable or its schema
// lacks a migration this code needs; liveness stays up.
import { type AddressInfo, type Socket, connect, createServer } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { LATEST_VERSION } from './pg/migrations.js';
import { PgStore } from './pg/pg-store.js';
import { TEST_DATABASE_URL, adminQuery, createTestSchema } from './pg/test-database.js';
import { SQLITE_SCHEMA_VERSION } from './sqlite-schema.js';
import type { SqliteStore } from './sqlite-store.js';
import { testCollector } from './test-collector.js';

const OPERATOR = 'operator-token-'.padEnd(40, 'h');
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
}, 60_000);

async function readiness(running: ReturnType<typeof testCollector>) {
  const res = await running.fetch('/readyz');
  const body = (await res.json()) as { reason?: string };
  return { status: res.status, reason: body.reason };
}

it('SQLite: not ready when the schema is behind the code, or the database cannot be read', async () => {
  const running = testCollector();
  cleanups.push(running.destroy);
  expect(await readiness(running)).toMatchObject({ status: 200 });
  // A file restored from before the last migration, under the running collector.
  running.db.prepare('DELETE FROM schema_migrations WHERE version = ?').run(SQLITE_SCHEMA_VERSION);
  expect(await readiness(running)).toMatchObject({
    status: 503,
    reason: expect.stringContaining(
      `migrations not applied: the schema is at version ${SQLITE_SCHEMA_VERSION - 1}, this collector needs ${SQLITE_SCHEMA_VERSION}`,
    ),
  });
  expect((await running.fetch('/healthz')).status).toBe(200);
  const store = running.collector.store as SqliteStore;
  store.db.close();
  expect(await readiness(running)).toMatchObject({ status: 503, reason: expect.stringContaining('not open') });
});

it('PostgreSQL: not ready when the schema is behind the code', async () => {
  const { url, schema, drop } = await createTestSchema();
  cleanups.push(drop);
  const store = new PgStore({ url, schema, poolMax: 2 });
  const running = testCollector({}, undefined, { store });
  cleanups.push(running.destroy);
  expect(await readiness(running)).toMatchObject({ status: 200 });
  await adminQuery(`DELETE FROM ${schema}.schema_migrations WHERE version = $1`, [LATEST_VERSION]);
  expect(await readiness(running)).toMatchObject({
    status: 503,
    reason: expect.stringContaining(
      `migrations not applied: the schema is at version ${LATEST_VERSION - 1}, this collector needs ${LATEST_VERSION}`,
    ),
  });
});

/** A TCP relay to the test PostgreSQL, which the test can take away (connections cut, port closed). */
async function relay() {
  const target = new URL(TEST_DATABASE_URL);
  const [host, port] = [target.hostname, Number(target.port || 5432)];
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(port, host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => sockets.delete(s));
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  target.host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: target.toString(),
    cut: () => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

it('PostgreSQL: not ready while the database is unreachable', async () => {
  const { schema, drop } = await createTestSchema();
  cleanups.push(drop);
  const link = await relay();
  const store = new PgStore({ url: link.url, schema, poolMax: 2 });
  const running = testCollector({ operatorToken: OPERATOR }, undefined, { store });
  cleanups.push(running.destroy);
  expect(await readiness(running)).toMatchObject({ status: 200 });
  await link.cut();
  expect(await readiness(running)).toMatchObject({
    status: 503,
    reason: expect.stringMatching(/ECONNREFUSED|terminated|Connection/),
  });
  expect((await running.fetch('/healthz')).status).toBe(200);
  // Counted under the store in use (the config names no database: a label from it would say sqlite).
  const metrics = await (await running.fetch('/metrics', { headers: { Authorization: `Bearer ${OPERATOR}` } })).text();
  expect(metrics).toMatch(/^tillit_store_errors_total\{store="postgres"\} [1-9]/m);
});
