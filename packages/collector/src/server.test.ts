import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { LIMITS } from '@tillit/schema';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { type TestCollector, testCollector } from './test-collector.js';
import { TEST_ORIGIN, TEST_WRITE_KEY } from './testing.js';

let running: TestCollector;
beforeEach(async () => {
  running = testCollector();
});
afterEach(async () => {
  await running.destroy();
});

function event(overrides: Record<string, unknown> = {}) {
  return {
    type: 'track',
    event: 'Product Viewed',
    messageId: randomUUID(),
    anonymousId: 'anon-1',
    properties: { sku: 'A-1', price: 12.5 },
    timestamp: new Date().toISOString(),
    ...overrides,
  };
}

/** Posts in-process, or over HTTP to `baseUrl` when given. */
async function post(
  path: string,
  body: unknown,
  init: RequestInit & { headers?: Record<string, string> } = {},
  baseUrl?: string,
) {
  const send = baseUrl ? (p: string, i: RequestInit) => fetch(`${baseUrl}${p}`, i) : running.fetch;
  const res = await send(path, {
    method: 'POST',
    body: typeof body === 'string' || body instanceof Uint8Array ? (body as BodyInit) : JSON.stringify(body),
    ...init,
    headers: { 'Content-Type': 'text/plain;charset=UTF-8', ...init.headers },
  });
  return { status: res.status, headers: res.headers, body: (await res.json().catch(() => null)) as any };
}

const count = (sql = 'SELECT count(*) AS n FROM events') => running.sql.count(sql);

it('stores the valid events of a mixed batch and rejects the bad ones by index with a reason', async () => {
  const good = [event(), event({ type: 'page', event: undefined, name: 'Home' }), event()];
  const batch = [good[0], { type: 'track', anonymousId: 'x' }, good[1], event({ timestamp: 'yesterday' }), good[2], 42];
  const { status, body } = await post('/v1/batch', { batch, sentAt: new Date().toISOString(), writeKey: TEST_WRITE_KEY });
  expect(status).toBe(200);
  expect(body.accepted).toBe(3);
  expect(body.duplicates).toBe(0);
  expect(body.rejected.map((r: { index: number }) => r.index)).toEqual([1, 3, 5]);
  expect(body.rejected[0].reason).toMatch(/messageId/);
  expect(body.rejected[1].reason).toMatch(/^timestamp/);
  expect(body.rejected[1].messageId).toBe((batch[3] as { messageId: string }).messageId);
  expect(await count()).toBe(3);
});

it('stores each event once when the same batch arrives twice, and counts the second as duplicates', async () => {
  const batch = [event(), event(), event()];
  const first = await post('/v1/batch', { batch, writeKey: TEST_WRITE_KEY });
  const second = await post('/v1/batch', { batch: [...batch, batch[0]], writeKey: TEST_WRITE_KEY });
  expect(first.body).toMatchObject({ accepted: 3, duplicates: 0 });
  expect(second.body).toMatchObject({ accepted: 0, duplicates: 4 });
  expect(await count()).toBe(3);
});

it('answers 400 with a reason when the body is not JSON or not a batch', async () => {
  const notJson = await post('/v1/batch', '{"batch": [', {});
  expect(notJson.status).toBe(400);
  expect(notJson.body.reason).toMatch(/not valid JSON/);
  const notBatch = await post('/v1/batch', { events: [], writeKey: TEST_WRITE_KEY });
  expect(notBatch.status).toBe(400);
  expect(notBatch.body.reason).toMatch(/batch/);
});

it('answers 413 over HTTP for a body over the byte limit and for too many events', async () => {
  const url = await running.collector.listen();
  const big = await post(
    '/v1/batch',
    { batch: [event({ properties: { blob: 'x'.repeat(LIMITS.maxBatchBytes) } })], writeKey: TEST_WRITE_KEY },
    {},
    url,
  );
  expect(big.status).toBe(413);
  expect(big.body.error).toBe('payload_too_large');
  const many = await post(
    '/v1/batch',
    { batch: Array.from({ length: LIMITS.maxBatchEvents + 1 }, () => event()), writeKey: TEST_WRITE_KEY },
    {},
    url,
  );
  expect(many.status).toBe(413);
  expect(many.body.reason).toMatch(/501 events/);
  expect(await count()).toBe(0);
});

it('rejects an event over 32 KB by index and keeps the rest', async () => {
  const { body } = await post('/v1/batch', {
    batch: [event({ properties: { blob: 'x'.repeat(LIMITS.maxEventBytes) } }), event()],
    writeKey: TEST_WRITE_KEY,
  });
  expect(body.accepted).toBe(1);
  expect(body.rejected[0]).toMatchObject({ index: 0 });
  expect(body.rejected[0].reason).toMatch(/over the 32768-byte limit/);
});

it('accepts application/json, text/plain and gzip bodies, and refuses form posts (not JSON)', async () => {
  const json = await post(
    '/v1/batch',
    { batch: [event()], writeKey: TEST_WRITE_KEY },
    { headers: { 'Content-Type': 'application/json' } },
  );
  expect(json.body.accepted).toBe(1);
  const gzipped = gzipSync(JSON.stringify({ batch: [event()], writeKey: TEST_WRITE_KEY }));
  const gz = await post('/v1/batch', gzipped, { headers: { 'Content-Encoding': 'gzip' } });
  expect(gz.body.accepted).toBe(1);
  const form = await post('/v1/batch', 'batch=1', { headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
  expect(form.status).toBe(400);
  expect(form.body.reason).toMatch(/not valid JSON/);
  expect(await count()).toBe(2);
});

it('refuses a missing or unknown write key with 401', async () => {
  const missing = await post('/v1/batch', { batch: [event()] });
  expect(missing.status).toBe(401);
  expect(missing.body.reason).toMatch(/missing write key/);
  const unknown = await post('/v1/batch', { batch: [event()], writeKey: 'not-a-key' });
  expect(unknown.status).toBe(401);
  expect(await count()).toBe(0);
});

it('takes the write key from HTTP Basic auth as Segment server clients send it', async () => {
  const auth = `Basic ${Buffer.from(`${TEST_WRITE_KEY}:`).toString('base64')}`;
  const ok = await post(
    '/v1/batch',
    { batch: [event()] },
    { headers: { Authorization: auth, 'Content-Type': 'application/json' } },
  );
  expect(ok.status).toBe(200);
  expect(ok.body.accepted).toBe(1);
  const bad = `Basic ${Buffer.from('wrong:').toString('base64')}`;
  expect((await post('/v1/batch', { batch: [event()] }, { headers: { Authorization: bad } })).status).toBe(401);
});

it('answers CORS preflights and requests from allowed origins only', async () => {
  const allowed = await running.fetch(`/v1/batch`, {
    method: 'OPTIONS',
    headers: { Origin: TEST_ORIGIN, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
  });
  expect(allowed.status).toBe(204);
  expect(allowed.headers.get('access-control-allow-origin')).toBe(TEST_ORIGIN);
  expect(allowed.headers.get('access-control-allow-methods')).toContain('POST');

  const refused = await running.fetch(`/v1/batch`, { method: 'OPTIONS', headers: { Origin: 'http://evil.test' } });
  expect(refused.status).toBe(403);
  expect(refused.headers.get('access-control-allow-origin')).toBeNull();

  const fromAllowed = await post(
    '/v1/batch',
    { batch: [event()], writeKey: TEST_WRITE_KEY },
    { headers: { Origin: TEST_ORIGIN } },
  );
  expect(fromAllowed.status).toBe(200);
  expect(fromAllowed.headers.get('access-control-allow-origin')).toBe(TEST_ORIGIN);
  expect(fromAllowed.headers.get('access-control-expose-headers')).toContain('Retry-After');
  const fromEvil = await post(
    '/v1/batch',
    { batch: [event()], writeKey: TEST_WRITE_KEY },
    { headers: { Origin: 'http://evil.test' } },
  );
  expect(fromEvil.status).toBe(403);
  expect(await count()).toBe(1);
});

it('corrects clock skew from sentAt and keeps the raw client time', async () => {
  const hourAhead = Date.now() + 3_600_000;
  const e = event({ timestamp: new Date(hourAhead - 5_000).toISOString() });
  const { body } = await post('/v1/batch', { batch: [e], sentAt: new Date(hourAhead).toISOString(), writeKey: TEST_WRITE_KEY });
  expect(body.accepted).toBe(1);
  const [row] = await running.sql.query<{ timestamp: number; payload: string }>('SELECT timestamp, payload FROM events');
  expect(Math.abs(row!.timestamp - (Date.now() - 5_000))).toBeLessThan(2_000);
  expect(JSON.parse(row!.payload).originalTimestamp).toBe(e.timestamp);
});

it('rejects by index an event whose corrected time lies far in the future', async () => {
  const future = event({ timestamp: new Date(Date.now() + 86_400_000).toISOString() });
  const { body } = await post('/v1/batch', { batch: [event(), future], writeKey: TEST_WRITE_KEY });
  expect(body.accepted).toBe(1);
  expect(body.rejected).toEqual([{ index: 1, messageId: future.messageId, reason: expect.stringMatching(/in the future/) }]);
});

it('never stores the whole client IP', async () => {
  await post('/v1/batch', { batch: [event({ context: { ip: '203.0.113.77' } }), event()], writeKey: TEST_WRITE_KEY });
  const payloads = (await running.sql.query<{ payload: string }>('SELECT payload FROM events')).map((r) => JSON.parse(r.payload));
  expect(payloads.map((p) => p.context.ip).sort()).toEqual(['127.0.0.0', '203.0.113.0']);
});

it('appends consent records to a log that refuses updates and deletes', async () => {
  const record = {
    writeKey: TEST_WRITE_KEY,
    anonymousId: 'anon-1',
    secret: 's'.repeat(43),
    purposes: { analytics: true, marketing: false },
    policyVersion: '2026-11',
    source: 'banner',
    timestamp: new Date().toISOString(),
    textHash: 'a'.repeat(64),
  };
  const first = await post('/v1/consent', record);
  const second = await post('/v1/consent', { ...record, purposes: { analytics: false, marketing: false }, secret: undefined });
  expect(first.status).toBe(201);
  expect(first.body.receiptId).toMatch(/^[0-9a-f-]{36}$/);
  expect(second.body.receiptId).not.toBe(first.body.receiptId);
  const rows = await running.sql.query('SELECT purposes, source, text_hash FROM consent_records ORDER BY id');
  expect(rows).toEqual([
    { purposes: '{"analytics":true,"marketing":false}', source: 'banner', text_hash: 'a'.repeat(64) },
    { purposes: '{"analytics":false,"marketing":false}', source: 'banner', text_hash: 'a'.repeat(64) },
  ]);
  const [subject] = await running.sql.query<{ secret_hash: string }>(
    'SELECT secret_hash FROM subjects WHERE anonymous_id = ?',
    'anon-1',
  );
  expect(subject!.secret_hash).toMatch(/^[0-9a-f]{64}$/);
  expect(subject!.secret_hash).not.toContain('sss');
  await expect(running.sql.query('DELETE FROM consent_records')).rejects.toThrow(/append-only/);
  await expect(running.sql.query("UPDATE consent_records SET purposes = '{}'")).rejects.toThrow(/append-only/);

  const invalid = await post('/v1/consent', { ...record, source: 'cookie-wall' });
  expect(invalid.status).toBe(400);
  expect(invalid.body.reason).toMatch(/^not a consent record: source/);
});

it('stores a retried consent record once and answers the retry with the first receipt', async () => {
  const record = {
    writeKey: TEST_WRITE_KEY,
    recordId: '018f3c1e-7a2b-7c3d-8e4f-123456789abc',
    anonymousId: 'anon-2',
    purposes: { analytics: true },
    policyVersion: '2026-11',
    source: 'banner',
    timestamp: new Date().toISOString(),
  };
  const first = await post('/v1/consent', record);
  const retry = await post('/v1/consent', record);
  const other = await post('/v1/consent', { ...record, recordId: 'another-decision' });
  expect(first.status).toBe(201);
  expect(retry.status).toBe(201);
  expect(retry.body.receiptId).toBe(first.body.receiptId);
  expect(other.body.receiptId).not.toBe(first.body.receiptId);
  expect(await count('SELECT count(*) AS n FROM consent_records')).toBe(2);
  await expect(running.sql.query("UPDATE consent_records SET record_id = 'x'")).rejects.toThrow(/append-only/);
});

it('keeps what it stored across a restart', async () => {
  const batch = [event(), event()];
  await post('/v1/batch', { batch, writeKey: TEST_WRITE_KEY });
  await running.stop();
  running = testCollector({}, running.dataDir);
  expect(await count()).toBe(2);
  const again = await post('/v1/batch', { batch, writeKey: TEST_WRITE_KEY });
  expect(again.body).toMatchObject({ accepted: 0, duplicates: 2 });
});

it('answers every event it acknowledged over HTTP from disk after a graceful close during a burst', async () => {
  const url = await running.collector.listen();
  const sends = Array.from({ length: 20 }, () =>
    post('/v1/batch', { batch: [event(), event()], writeKey: TEST_WRITE_KEY }, {}, url),
  );
  const closing = new Promise((resolve) => setTimeout(resolve, 5)).then(() => running.stop());
  const answers = await Promise.allSettled(sends);
  await closing;
  const acknowledged = answers.reduce(
    (n, a) => n + (a.status === 'fulfilled' && a.value.status === 200 ? a.value.body.accepted : 0),
    0,
  );
  running = testCollector({}, running.dataDir);
  expect(await count()).toBe(acknowledged);
});

it('serves a health check over HTTP and names unknown routes and methods', async () => {
  const url = await running.collector.listen();
  const health = await fetch(`${url}/healthz`);
  expect(await health.json()).toMatchObject({ status: 'ok' });
  expect((await fetch(`${url}/nope`)).status).toBe(404);
  const wrong = await fetch(`${url}/v1/batch`);
  expect(wrong.status).toBe(405);
  expect(wrong.headers.get('allow')).toBe('POST');
});
