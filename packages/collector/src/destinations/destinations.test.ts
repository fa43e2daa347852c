// Forwarding to destinations against real HTTP receivers on 127.0.0.1, through a real collector over HTTP
// on a real SQLite file: delivery with a verified signature, failure to dead letter and CLI replay, a slow
// receiver that ingest never waits for, 429 + Retry-After on an injected clock, consent and objection
// filtering, and erasure propagation.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { destinationsCommand } from '../cli-destinations.js';
import { type CollectorConfigInput, parseConfig } from '../config.js';
import { type Collector, createCollector } from '../server.js';
import type { PgStore } from '../pg/pg-store.js';
import { createTestSchema } from '../pg/test-database.js';
import type { SqliteStore } from '../sqlite-store.js';
import { TEST_ORIGIN, TEST_WRITE_KEY, consentBody } from '../testing.js';
import { type Receiver, startReceiver, verify } from './test-receiver.js';

const OPERATOR = 'operator-token-'.padEnd(40, 'x');
const SECRET = randomBytes(32).toString('base64url');
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The worker's clock in the tests that move time: starts now, moved by hand. */
let now = Date.now();

/** Which store the suite below runs on (set by each describe). */
let storeKind: 'sqlite' | 'postgres' = 'sqlite';

interface Running {
  collector: Collector;
  /** Rows of a query on the store's database (SQLite or PostgreSQL). */
  sql(query: string): Promise<Record<string, unknown>[]>;
  url: string;
  configFile: string;
  api(path: string, init?: RequestInit & { token?: string }): Promise<Response>;
}

/** A collector listening on an ephemeral port; `manual`: its worker stopped, driven by `runOnce()` on the fake clock. */
async function start(destinations: unknown[], outbox: object = {}, manual = true): Promise<Running> {
  now = Date.now() + 1000;
  const dataDir = mkdtempSync(join(tmpdir(), 'tillit-dest-'));
  const config = {
    port: 0,
    dataDir,
    sites: [{ name: 'test', writeKey: TEST_WRITE_KEY, origins: [TEST_ORIGIN], destinations }],
    durability: 'normal',
    logLevel: 'silent',
    operatorToken: OPERATOR,
    outbox,
  } as CollectorConfigInput;
  if (storeKind === 'postgres') {
    const { url, schema, drop } = await createTestSchema();
    cleanups.push(drop);
    Object.assign(config, { database: { url, schema }, serverKey: 'k'.repeat(32) });
  }
  const configFile = join(dataDir, 'tillit.json');
  writeFileSync(configFile, JSON.stringify(config));
  const collector = createCollector(config, { clock: () => now, random: () => 1 });
  const url = await collector.listen();
  if (manual) await collector.outbox.stop();
  cleanups.push(async () => {
    await collector.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const api = (path: string, { token, ...init }: RequestInit & { token?: string } = {}) =>
    fetch(`${url}${path}`, {
      ...init,
      headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    });
  const sql = async (query: string) =>
    storeKind === 'postgres'
      ? (collector.store as PgStore).db.query(query)
      : ((collector.store as SqliteStore).db.prepare(query).all() as Record<string, unknown>[]);
  return { collector, sql, url, configFile, api };
}

async function receiver(secret?: string): Promise<Receiver> {
  const r = await startReceiver(secret);
  cleanups.push(() => r.close());
  return r;
}

const webhook = (name: string, r: Receiver, purpose = 'analytics') => ({
  name,
  type: 'webhook',
  url: `${r.url}/hook`,
  secret: SECRET,
  purpose,
});

function track(anonymousId: string, purposes: string[] | null) {
  return {
    type: 'track',
    event: 'Order Completed',
    messageId: randomUUID(),
    anonymousId,
    timestamp: new Date().toISOString(),
    properties: { revenue: 10 },
    ...(purposes ? { context: { consent: { purposes } } } : {}),
  };
}

async function ingest(c: Running, events: object[]) {
  const res = await c.api('/v1/batch', {
    method: 'POST',
    body: JSON.stringify({ writeKey: TEST_WRITE_KEY, batch: events, sentAt: new Date().toISOString() }),
  });
  expect(res.status).toBe(200);
  expect((await res.json()).accepted).toBe(events.length);
}

/** Runs the worker until nothing due is left at the current fake time. */
async function drain(c: Running) {
  while ((await c.collector.outbox.runOnce()) > 0);
}

async function status(c: Running) {
  return (await (await c.api('/v1/destinations', { token: OPERATOR })).json()) as { destinations: any[]; erasures: any[] };
}

const ids = (events: { messageId: string }[]) => events.map((e) => e.messageId).sort();

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(kind, () => {
    beforeAll(() => {
      storeKind = kind;
    });

    it('delivers stored events in signed batches that the receiver verifies, off the request path', async () => {
      const r = await receiver(SECRET);
      const c = await start([webhook('hook', r)], { pollSeconds: 0.05 }, false);
      const events = [track('a', ['analytics']), track('a', ['analytics']), track('b', ['analytics'])];
      await ingest(c, events);
      await r.until((x) => x.unique.size === 3);
      expect([...r.unique].sort()).toEqual(ids(events));
      expect(r.requests.every((req) => req.signed)).toBe(true);
      expect(r.requests[0]!.body).toMatchObject({ type: 'events', site: 'test', destination: 'hook' });
      expect(r.requests[0]!.headers['idempotency-key']).toMatch(/^[0-9a-f]{64}$/);
      // A body changed on the way, or a signature replayed after five minutes, fails the same check.
      const { raw, headers } = r.requests[0]!;
      expect(verify(SECRET, raw.replace('Order Completed', 'Order Refunded'), headers['tillit-signature'] as string)).toBe(false);
      const old = (headers['tillit-signature'] as string).replace(/t=(\d+)/, (_, t) => `t=${Number(t) - 301}`);
      expect(verify(SECRET, raw, old)).toBe(false);
    });

    it('retries what the receiver failed to acknowledge: it sees each messageId at least once, and dedupes', async () => {
      const r = await receiver(SECRET);
      let calls = 0;
      r.answer = () => ({ status: ++calls === 1 ? 500 : 200 });
      const c = await start([webhook('hook', r)], { backoffSeconds: 5 });
      const events = [track('a', ['analytics']), track('b', ['analytics'])];
      await ingest(c, events);
      await drain(c);
      expect(r.requests).toHaveLength(1);
      now += 10_000;
      await drain(c);
      expect(r.requests).toHaveLength(2);
      expect(r.seen.sort()).toEqual([...ids(events), ...ids(events)].sort());
      expect([...r.unique].sort()).toEqual(ids(events));
      expect((await status(c)).destinations[0]).toMatchObject({ depth: 0, failing: 0, deadLetters: 0 });
    });

    it('backs off from a failing receiver, dead-letters after the configured age with the reason, and replays from the CLI', async () => {
      const r = await receiver(SECRET);
      r.answer = () => ({ status: 500 });
      const c = await start([webhook('hook', r)], { backoffSeconds: 60, maxBackoffSeconds: 900, deadLetterHours: 1 });
      const events = [track('a', ['analytics']), track('b', ['analytics'])];
      await ingest(c, events);
      const steps = 17; // every 5 minutes for 80 minutes
      for (let i = 0; i < steps; i++) {
        await drain(c);
        now += 5 * 60_000;
      }
      await drain(c);
      // Backoff 60 s, 120 s, 240 s, 480 s, 900 s...: fewer attempts than steps; the last one after the hour.
      expect(r.requests.length).toBeGreaterThanOrEqual(5);
      expect(r.requests.length).toBeLessThan(steps);
      const dead = (await status(c)).destinations[0];
      expect(dead).toMatchObject({ name: 'hook', depth: 0, deadLetters: 2 });
      expect(await c.sql("SELECT DISTINCT last_error AS e FROM outbox WHERE state = 'dead'")).toEqual([
        { e: 'still failing after 1 h: HTTP 500' },
      ]);
      const metrics = await (await c.api('/metrics', { token: OPERATOR })).text();
      expect(metrics).toContain('tillit_destination_dead_letters{destination="hook"} 2');
      expect(metrics).toMatch(/tillit_destination_deliveries_total\{destination="hook",kind="event",outcome="dead"\} 2/);

      const before = r.requests.length;
      await drain(c);
      expect(r.requests).toHaveLength(before); // dead letters wait for the operator
      r.answer = () => ({ status: 200 });
      expect(await destinationsCommand(['list', '--config', c.configFile], {})).toMatch(/^hook: depth 0, .*dead letters 2/);
      expect(await destinationsCommand(['replay', '--name', 'hook', '--config', c.configFile], {})).toBe(
        '[tillit-collector] hook: 2 dead letter(s) queued again',
      );
      await drain(c);
      expect(r.requests).toHaveLength(before + 1);
      expect((await status(c)).destinations[0]).toMatchObject({ depth: 0, deadLetters: 0 });
      await expect(destinationsCommand(['replay', '--name', 'nope', '--config', c.configFile], {})).rejects.toThrow(
        /--name must name a configured destination \(hook\)/,
      );
    });

    it('keeps answering ingest while a slow receiver holds its requests, with at most `concurrency` in flight', async () => {
      const r = await receiver(SECRET);
      r.answer = () => 'hold';
      const c = await start(
        [webhook('hook', r)],
        { batchSize: 1, concurrency: 2, timeoutSeconds: 120, pollSeconds: 0.05 },
        false,
      );
      const first = [track('a', ['analytics']), track('b', ['analytics']), track('c', ['analytics'])];
      await ingest(c, first);
      await r.until((x) => x.held() === 2);
      // The receiver holds two requests and answers none: twenty more batches are still stored and answered.
      const more = Array.from({ length: 20 }, (_, i) => track(`d${i}`, ['analytics']));
      for (const event of more) await ingest(c, [event]);
      expect(r.held()).toBe(2);
      expect(r.requests).toHaveLength(2);
      r.answer = () => ({ status: 200 });
      r.release(200);
      await r.until((x) => x.unique.size === 23);
      expect([...r.unique].sort()).toEqual(ids([...first, ...more]));
    });

    it('counts the outbox in the metrics, and retention drops the delivery records of expired events', async () => {
      const r = await receiver(SECRET);
      r.answer = () => ({ status: 503 });
      const c = await start([webhook('hook', r)]);
      await ingest(c, [track('a', ['analytics']), track('b', ['analytics'])]);
      now += 30_000;
      await drain(c);
      const metrics = await (await c.api('/metrics', { token: OPERATOR })).text();
      expect(metrics).toContain('tillit_destination_outbox_depth{destination="hook"} 2');
      expect(metrics).toContain('tillit_destination_failing{destination="hook"} 2');
      expect(
        Number(/tillit_destination_outbox_oldest_age_seconds\{destination="hook"\} ([\d.]+)/.exec(metrics)![1]),
      ).toBeGreaterThan(20);
      r.answer = () => ({ status: 200 });
      now += 3_600_000;
      await drain(c);
      expect(await c.sql('SELECT state FROM outbox')).toEqual([{ state: 'sent' }, { state: 'sent' }]);
      await c.collector.store.deleteExpired(Date.now() + 60_000);
      expect(await c.sql('SELECT id FROM outbox')).toEqual([]);
    });

    it('closes without waiting for a receiver that holds its request (the delivery is retried later)', async () => {
      const r = await receiver(SECRET);
      r.answer = () => 'hold';
      const c = await start([webhook('hook', r)], { timeoutSeconds: 300, pollSeconds: 0.05 }, false);
      await ingest(c, [track('a', ['analytics'])]);
      await r.until((x) => x.held() === 1);
      await c.collector.close();
      expect(r.held()).toBe(1);
    });

    it('waits for Retry-After after a 429 before the next attempt', async () => {
      const r = await receiver(SECRET);
      let calls = 0;
      r.answer = () => (++calls === 1 ? { status: 429, headers: { 'Retry-After': '120' } } : { status: 200 });
      const c = await start([webhook('hook', r)], { backoffSeconds: 1 });
      await ingest(c, [track('a', ['analytics'])]);
      await drain(c);
      expect(r.requests).toHaveLength(1);
      now += 119_000;
      await drain(c);
      expect(r.requests).toHaveLength(1);
      now += 1000;
      await drain(c);
      expect(r.requests).toHaveLength(2);
      expect((await status(c)).destinations[0]).toMatchObject({ depth: 0, failing: 0 });
    });

    it('forwards an event only where its consent snapshot grants the purpose, never for objecting or restricted people', async () => {
      const stats = await receiver(SECRET);
      const ads = await receiver(SECRET);
      const c = await start([webhook('stats', stats, 'analytics'), webhook('ads', ads, 'marketing')]);
      const analyticsOnly = track('a', ['analytics']);
      const both = track('b', ['analytics', 'marketing']);
      await ingest(c, [analyticsOnly, both, track('c', []), track('server', null)]);
      await drain(c);
      expect([...stats.unique].sort()).toEqual(ids([analyticsOnly, both]));
      expect([...ads.unique]).toEqual([both.messageId]);

      const objector = { id: `anon-${randomUUID()}`, secret: randomBytes(32).toString('base64url') };
      expect((await c.api('/v1/consent', { method: 'POST', body: JSON.stringify(consentBody(objector)) })).status).toBe(201);
      expect((await c.api(`/v1/subjects/${objector.id}/objection`, { method: 'POST', token: objector.secret })).status).toBe(201);
      const restricted = `anon-${randomUUID()}`;
      const restriction = await c.api(`/v1/subjects/${restricted}/restriction?site=test&kind=anonymous`, {
        method: 'POST',
        token: OPERATOR,
      });
      expect(restriction.status).toBe(201);
      const free = track('free', ['analytics']);
      await ingest(c, [track(objector.id, ['analytics']), track(restricted, ['analytics']), free]);
      await drain(c);
      expect(stats.unique.has(free.messageId)).toBe(true);
      expect(stats.unique.size).toBe(3);
      expect((await status(c)).destinations.find((d) => d.name === 'stats')).toMatchObject({ depth: 0, withheld: 2 });

      // The register (Art. 30) and the visitor's access answer (Art. 15) name the recipients.
      const register = await (await c.api('/v1/admin/register', { token: OPERATOR })).json();
      expect(register.recipients).toEqual([
        expect.stringMatching(
          /^stats \(webhook, 127\.0\.0\.1:\d+\)\. Receives the events of test for which you granted "analytics"/,
        ),
        expect.stringMatching(
          /^ads \(webhook, 127\.0\.0\.1:\d+\)\. Receives the events of test for which you granted "marketing"/,
        ),
      ]);
      const access = await (await c.api(`/v1/subjects/${objector.id}`, { token: objector.secret })).json();
      expect(access.processing.recipients).toEqual(register.recipients);
    });

    it('propagates an erasure to every destination that received the subject, audits it, and drops what was not sent', async () => {
      const hook = await receiver(SECRET);
      const ga = await receiver();
      const gaDeletion = await receiver();
      const c = await start([
        webhook('hook', hook),
        {
          name: 'ga',
          type: 'ga4',
          measurementId: 'G-TEST1',
          apiSecret: 'mp-secret',
          purpose: 'analytics',
          endpoint: `${ga.url}/mp/collect`,
        },
        {
          name: 'ga-deletion',
          type: 'ga4',
          measurementId: 'G-TEST2',
          apiSecret: 'mp-secret',
          purpose: 'analytics',
          endpoint: `${gaDeletion.url}/mp/collect`,
          userDeletion: { propertyId: '1234', accessToken: 'oauth-token', endpoint: `${gaDeletion.url}/userDeletion` },
        },
      ]);
      const sent = { id: `anon-${randomUUID()}`, secret: randomBytes(32).toString('base64url') };
      const queued = { id: `anon-${randomUUID()}`, secret: randomBytes(32).toString('base64url') };
      for (const s of [sent, queued]) {
        expect((await c.api('/v1/consent', { method: 'POST', body: JSON.stringify(consentBody(s)) })).status).toBe(201);
      }
      await ingest(c, [track(sent.id, ['analytics']), track(sent.id, ['analytics'])]);
      await drain(c);
      expect(hook.unique.size).toBe(2);
      expect(ga.requests[0]!.path).toBe('/mp/collect?measurement_id=G-TEST1&api_secret=mp-secret');
      expect(ga.requests[0]!.body).toMatchObject({
        client_id: sent.id,
        events: [{ name: 'Order_Completed' }, { name: 'Order_Completed' }],
      });
      await ingest(c, [track(queued.id, ['analytics'])]);

      for (const s of [sent, queued])
        expect((await c.api(`/v1/subjects/${s.id}`, { method: 'DELETE', token: s.secret })).status).toBe(200);
      // Erasure removed the queued subject's unsent rows in its own transaction: nothing of theirs will leave.
      expect(await c.sql("SELECT message_id AS id FROM outbox WHERE kind = 'event'")).toEqual([]);
      await drain(c);

      const erased = hook.requests.filter((req) => req.body.type === 'subject.erased');
      expect(erased).toHaveLength(1);
      expect(erased[0]!.signed).toBe(true);
      expect(erased[0]!.body).toMatchObject({ site: 'test', userId: null, anonymousIds: [sent.id] });
      const deletion = gaDeletion.requests.find((req) => req.path === '/userDeletion')!;
      expect(deletion.headers.authorization).toBe('Bearer oauth-token');
      expect(deletion.body).toEqual({
        kind: 'analytics#userDeletionRequest',
        id: { type: 'CLIENT_ID', userId: sent.id },
        propertyId: '1234',
      });

      // GA4 without the User Deletion API: a manual step, shown to the operator with the ids to delete.
      const { erasures, destinations } = await status(c);
      expect(erasures).toEqual([
        expect.objectContaining({
          destination: 'ga',
          state: 'manual',
          request: expect.objectContaining({ anonymousIds: [sent.id] }),
        }),
      ]);
      expect(destinations.find((d) => d.name === 'ga').erasures).toEqual({ pending: 0, failed: 0, manual: 1 });
      const { entries } = (await (await c.api('/v1/admin/audit', { token: OPERATOR })).json()) as {
        entries: { action: string; outcome: string }[];
      };
      expect(
        entries
          .filter((a) => a.action.startsWith('erasure_propagation.'))
          .map((a) => `${a.action} ${a.outcome}`)
          .sort(),
      ).toEqual([
        'erasure_propagation.ga manual_step',
        'erasure_propagation.ga-deletion delivered',
        'erasure_propagation.hook delivered',
      ]);

      // The operator deletes the user in GA4 by hand and says so: the ids are cleared, the audit log records it.
      const done = `/v1/destinations/ga/erasures/${erasures[0].receiptId}/done`;
      expect((await c.api(done, { method: 'POST', token: OPERATOR })).status).toBe(200);
      expect((await status(c)).erasures).toEqual([]);
      expect(await c.sql("SELECT body FROM outbox WHERE kind = 'erasure' AND body IS NOT NULL")).toEqual([]);
      expect((await c.api(done, { method: 'POST', token: OPERATOR })).status).toBe(404);
      const after = (await (await c.api('/v1/admin/audit', { token: OPERATOR })).json()) as {
        entries: { action: string; outcome: string }[];
      };
      expect(after.entries.map((a) => `${a.action} ${a.outcome}`)).toContain('erasure_propagation.ga done_by_hand');
    });
  });
}

it('names the wrong field of a bad destination', () => {
  const site = { name: 'shop', writeKey: 'key-12345678' };
  const bad = (destinations: unknown[]) => () => parseConfig({ sites: [{ ...site, destinations }] });
  expect(bad([{ name: 'x', type: 'webhook', url: 'ftp://x.test', secret: 'short', purpose: 'marketing' }])).toThrow(
    /sites\.0\.destinations\.0\.url: must be an http:\/\/ or https:\/\/ URL[\s\S]*sites\.0\.destinations\.0\.secret: must be at least 32/,
  );
  expect(bad([{ name: 'x', type: 'pixel', purpose: 'marketing' }])).toThrow(
    /sites\.0\.destinations\.0\.type: type must be "webhook" or "ga4"/,
  );
  expect(bad([{ name: 'g', type: 'ga4', measurementId: 'UA-1', apiSecret: 's', purpose: 'analytics' }])).toThrow(
    /destinations\.0\.measurementId: must be a GA4 measurement id/,
  );
  const hook = { name: 'x', type: 'webhook', url: 'https://x.test', secret: SECRET, purpose: 'marketing' };
  expect(bad([hook, hook])).toThrow(/sites\.0\.destinations\.1\.name: x is used twice/);
  expect(() => parseConfig({ sites: [site], outbox: { backoffSeconds: 10, maxBackoffSeconds: 5 } })).toThrow(
    /outbox\.backoffSeconds: must not exceed maxBackoffSeconds/,
  );
});

it('shares one PostgreSQL outbox between two collectors: every row is sent once, by one of them', async () => {
  storeKind = 'postgres';
  const r = await receiver(SECRET);
  const outbox = { batchSize: 5, concurrency: 2, pollSeconds: 0.05 };
  const a = await start([webhook('hook', r)], outbox, false);
  const config = JSON.parse(readFileSync(a.configFile, 'utf8')) as CollectorConfigInput;
  const bDir = mkdtempSync(join(tmpdir(), 'tillit-dest-'));
  const b = createCollector({ ...config, dataDir: bDir }, { clock: () => now });
  const bUrl = await b.listen();
  cleanups.push(async () => {
    await b.close();
    rmSync(bDir, { recursive: true, force: true });
  });
  const events = Array.from({ length: 60 }, (_, i) => track(`p${i}`, ['analytics']));
  await ingest(a, events.slice(0, 30));
  const res = await fetch(`${bUrl}/v1/batch`, {
    method: 'POST',
    body: JSON.stringify({ writeKey: TEST_WRITE_KEY, batch: events.slice(30), sentAt: new Date().toISOString() }),
  });
  expect(res.status).toBe(200);
  await r.until((x) => x.unique.size === 60);
  await expect(a.collector.outbox.stop()).resolves.toBeUndefined();
  await b.outbox.stop();
  // SKIP LOCKED and the lease: no row was taken by both workers.
  expect(r.seen).toHaveLength(60);
  expect([...r.unique].sort()).toEqual(ids(events));
});
