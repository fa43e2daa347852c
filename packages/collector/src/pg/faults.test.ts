/**
 * PostgreSQL faults, on the local test server only (127.0.0.1), bounded in count and time: connections
 * killed, the pool exhausted, the database refusing connections, one of two collector processes killed. Every event answered 200 is stored
 * exactly once, a failed request is a 503 with Retry-After, and the collector recovers without a restart.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterEach, expect, it } from 'vitest';
import { type Collector, createCollector } from '../server.js';
import { TEST_WRITE_KEY } from '../testing.js';
import { PgStore, type PgStoreOptions } from './pg-store.js';
import { TEST_DATABASE_URL, adminQuery, createTestSchema } from './test-database.js';

const cleanups: (() => unknown)[] = [];
// Closing collectors and dropping a database take seconds on a loaded machine.
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
}, 60_000);

/** A collector on its own PgStore (tests tune the pool), named so that only its connections are killed. */
function collectorOn(options: Omit<PgStoreOptions, 'applicationName'>): { collector: Collector; appName: string } {
  const appName = `tillit-fault-${randomBytes(4).toString('hex')}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'tillit-pg-fault-'));
  const store = new PgStore({ ...options, applicationName: appName });
  const collector = createCollector(
    {
      port: 0,
      dataDir,
      sites: [{ name: 'test', writeKey: TEST_WRITE_KEY, origins: [] }],
      serverKey: 's'.repeat(40),
      logLevel: 'silent',
    },
    { store },
  );
  cleanups.push(async () => {
    await collector.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return { collector, appName };
}

const batchOf = (count: number) =>
  Array.from({ length: count }, () => ({
    type: 'track',
    event: 'Load',
    messageId: randomUUID(),
    anonymousId: 'load-subject',
    timestamp: new Date().toISOString(),
  }));

/** Sends a batch; a 503 must carry Retry-After. */
async function send(collector: Collector, batch: { messageId: string }[]): Promise<number> {
  const res = await collector.handle(
    new Request('http://collector.test/v1/batch', { method: 'POST', body: JSON.stringify({ writeKey: TEST_WRITE_KEY, batch }) }),
  );
  if (res.status === 503) expect(Number(res.headers.get('Retry-After'))).toBeGreaterThan(0);
  else expect(res.status).toBe(200);
  return res.status;
}

/** How many times each id is stored, in `schema` of `url`. */
async function storedCounts(url: string, schema: string, ids: string[]): Promise<number[]> {
  const client = new pg.Client(url);
  await client.connect();
  try {
    const { rows } = await client.query<{ id: string; n: number }>(
      `SELECT id, (SELECT count(*)::int FROM ${schema}.events WHERE message_id = id) AS n FROM unnest($1::text[]) AS id`,
      [ids],
    );
    return rows.map((r) => r.n);
  } finally {
    await client.end();
  }
}

const terminate = (appName: string) =>
  adminQuery('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [appName]);

it('stores every acknowledged event once while its connections are killed, and recovers by itself', async () => {
  const { url, schema, drop } = await createTestSchema();
  cleanups.push(drop);
  const { collector, appName } = collectorOn({ url, schema, poolMax: 4 });
  const acked: string[] = [];
  const failed: string[] = [];
  // 4 senders x 15 batches of 20, with every connection of this collector killed twice on the way.
  const sender = async (n: number) => {
    for (let i = 0; i < 15; i++) {
      const batch = batchOf(20);
      if (n === 0 && (i === 5 || i === 10)) await terminate(appName);
      ((await send(collector, batch)) === 200 ? acked : failed).push(...batch.map((e) => e.messageId));
    }
  };
  await Promise.all([0, 1, 2, 3].map(sender));
  expect(await storedCounts(url, schema, acked)).toEqual(acked.map(() => 1));
  // No restart: the next batch is stored, and a retried batch that had failed is stored once.
  const retried = failed.length ? failed.slice(0, 20).map((messageId) => ({ ...batchOf(1)[0]!, messageId })) : batchOf(20);
  expect(await send(collector, retried)).toBe(200);
  expect(
    await storedCounts(
      url,
      schema,
      retried.map((e) => e.messageId),
    ),
  ).toEqual(retried.map(() => 1));
});

it('answers 503 with Retry-After while the pool is exhausted, and serves again once connections free up', async () => {
  const { url, schema, drop } = await createTestSchema();
  cleanups.push(drop);
  const { collector } = collectorOn({ url, schema, poolMax: 2, connectTimeoutMs: 300 });
  expect(await send(collector, batchOf(5))).toBe(200);
  // Holds a lock that every subject lookup waits for: two data-subject requests then hold both connections.
  const blocker = new pg.Client(url);
  await blocker.connect();
  cleanups.push(() => blocker.end());
  await blocker.query('BEGIN');
  await blocker.query(`LOCK TABLE ${schema}.subjects IN ACCESS EXCLUSIVE MODE`);
  const lookup = () =>
    collector.handle(
      new Request(`http://collector.test/v1/subjects/${randomUUID()}`, { headers: { Authorization: 'Bearer some-secret' } }),
    );
  const waiting = [lookup(), lookup()];
  await new Promise((resolve) => setTimeout(resolve, 100));
  const batch = batchOf(5);
  expect(await send(collector, batch)).toBe(503);
  await blocker.query('COMMIT');
  expect((await Promise.all(waiting)).map((r) => r.status)).toEqual([404, 404]);
  expect(await send(collector, batch)).toBe(200);
  expect(
    await storedCounts(
      url,
      schema,
      batch.map((e) => e.messageId),
    ),
  ).toEqual([1, 1, 1, 1, 1]);
});

it('answers 503 with Retry-After while the database refuses connections, and recovers without a restart', async () => {
  const database = `tillit_fault_${randomBytes(4).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${database}`);
  const url = TEST_DATABASE_URL.replace(/\/[^/]*$/, `/${database}`);
  cleanups.push(() => adminQuery(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
  const { collector, appName } = collectorOn({ url, connectTimeoutMs: 1_000 });
  const before = batchOf(10);
  expect(await send(collector, before)).toBe(200);
  await adminQuery(`ALTER DATABASE ${database} ALLOW_CONNECTIONS false`);
  cleanups.push(() => adminQuery(`ALTER DATABASE ${database} ALLOW_CONNECTIONS true`).catch(() => {}));
  await terminate(appName);
  const during = batchOf(10);
  expect(await send(collector, during)).toBe(503);
  expect(await send(collector, during)).toBe(503);
  await adminQuery(`ALTER DATABASE ${database} ALLOW_CONNECTIONS true`);
  expect(await send(collector, during)).toBe(200);
  const ids = [...before, ...during].map((e) => e.messageId);
  expect(await storedCounts(url, 'public', ids)).toEqual(ids.map(() => 1));
});

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

/** The built collector CLI in a process of its own; resolves with its URL once it listens. */
async function spawnCollector(configFile: string): Promise<{ child: ChildProcess; url: string }> {
  if (!existsSync(CLI)) throw new Error(`[tillit] ${CLI} is missing: run \`npm run build\` first (npm test does)`);
  const child = spawn(process.execPath, [CLI, '--config', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  cleanups.push(() => child.kill('SIGKILL'));
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`collector did not start:\n${output}`)), 15_000);
    const read = (d: Buffer) => {
      output += d;
      const listening = /listening on (http:\/\/\S+)/.exec(output);
      if (listening) {
        clearTimeout(timer);
        resolve(listening[1]!);
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.once('exit', (code) => reject(new Error(`collector exited (${code}):\n${output}`)));
  });
  return { child, url };
}

it('delivers every event exactly once when one of two collector processes is killed with SIGKILL under load', async () => {
  const { url, schema, drop } = await createTestSchema();
  cleanups.push(drop);
  const dir = mkdtempSync(join(tmpdir(), 'tillit-pg-kill-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const configFile = join(dir, 'tillit.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      port: 0,
      dataDir: dir,
      serverKey: 's'.repeat(40),
      database: { url, schema, poolMax: 4 },
      sites: [{ name: 'test', writeKey: TEST_WRITE_KEY }],
    }),
  );
  const collectors = [await spawnCollector(configFile), await spawnCollector(configFile)];
  const sent: string[] = [];
  const acked: string[] = [];
  /** Posts to collector `first`, and on a failure to the other one, as a load balancer would (bounded). */
  const deliver = async (batch: { messageId: string }[], first: number) => {
    for (let attempt = 0; attempt < 20; attempt++) {
      const target = collectors[(first + attempt) % 2]!;
      const status = await fetch(`${target.url}/v1/batch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ writeKey: TEST_WRITE_KEY, batch }),
      }).then(
        (res) => res.status,
        () => 0,
      );
      if (status === 200) return acked.push(...batch.map((e) => e.messageId));
      expect([0, 503]).toContain(status);
    }
    throw new Error('a batch was not delivered in 20 attempts');
  };
  const sender = async (n: number) => {
    for (let i = 0; i < 20; i++) {
      if (n === 0 && i === 8) collectors[1]!.child.kill('SIGKILL');
      const batch = batchOf(20);
      sent.push(...batch.map((e) => e.messageId));
      await deliver(batch, (n + i) % 2);
    }
  };
  await Promise.all([0, 1, 2, 3].map(sender));
  expect(acked.length).toBe(sent.length);
  expect(await storedCounts(url, schema, sent)).toEqual(sent.map(() => 1));
});
