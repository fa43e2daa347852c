import { randomBytes, randomUUID } from 'node:crypto';
import { LIMITS } from '@tillit/schema';
import { afterEach, expect, it } from 'vitest';
import { type TestCollector, testCollector } from './test-collector.js';
import { TEST_WRITE_KEY, testStoreKind } from './testing.js';

const OPERATOR = 'operator-token-'.padEnd(40, 'm');

let running: TestCollector | undefined;
afterEach(async () => {
  await running?.destroy();
  running = undefined;
});

/** A collector whose JSON log lines land in `lines`. */
function collectorWithLog(lines: string[] = []) {
  running = testCollector({ operatorToken: OPERATOR, logLevel: 'info' }, undefined, {
    logDestination: { write: (line: string) => lines.push(line) },
  });
  return { running, lines };
}

const post = (path: string, body: unknown, init: RequestInit & { remoteAddress?: string } = {}) =>
  running!.fetch(path, { method: 'POST', body: JSON.stringify(body), ...init });

const event = (anonymousId: string, extra: Record<string, unknown> = {}) => ({
  type: 'track',
  event: 'Viewed',
  messageId: randomUUID(),
  anonymousId,
  timestamp: new Date().toISOString(),
  ...extra,
});

async function metricsText(token = OPERATOR): Promise<string> {
  const res = await running!.fetch('/metrics', { headers: { Authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  return res.text();
}

/** The value of one sample line, e.g. `tillit_events_total{outcome="accepted",reason=""}`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

it('counts events accepted, duplicate and rejected by reason class', async () => {
  collectorWithLog();
  const first = event('anon-1');
  const tooLarge = event('anon-1', { properties: { blob: 'x'.repeat(LIMITS.maxEventBytes) } });
  const res = await post('/v1/batch', { writeKey: TEST_WRITE_KEY, batch: [first, event('anon-1'), tooLarge, { type: 'nope' }] });
  expect(await res.json()).toMatchObject({ accepted: 2, duplicates: 0 });
  await post('/v1/batch', { writeKey: TEST_WRITE_KEY, batch: [first] });

  const text = await metricsText();
  expect(sample(text, 'tillit_events_total{outcome="accepted",reason=""}')).toBe(2);
  expect(sample(text, 'tillit_events_total{outcome="duplicate",reason=""}')).toBe(1);
  expect(sample(text, 'tillit_events_total{outcome="rejected",reason="too_large"}')).toBe(1);
  expect(sample(text, 'tillit_events_total{outcome="rejected",reason="invalid"}')).toBe(1);
  expect(sample(text, 'tillit_ingest_batch_events_count')).toBe(2);
  // Every row a request hands to the store is committed in some group (one or more requests each).
  const groups = sample(text, 'tillit_store_commit_group_events_count')!;
  expect(groups).toBeGreaterThanOrEqual(1);
  expect(groups).toBeLessThanOrEqual(2);
  expect(sample(text, 'tillit_store_commit_group_events_sum')).toBe(sample(text, 'tillit_ingest_batch_events_sum'));
});

it('times requests by route pattern, never by the raw path with ids, and counts subject requests and consent', async () => {
  collectorWithLog();
  const id = `visitor-${randomUUID()}`;
  const secret = randomBytes(32).toString('base64url');
  const purposes = { analytics: true, newsletter: false };
  const consent = { writeKey: TEST_WRITE_KEY, anonymousId: id, secret, purposes, policyVersion: 'v1', source: 'banner' };
  expect((await post('/v1/consent', { ...consent, timestamp: new Date().toISOString() })).status).toBe(201);
  const access = await running!.fetch(`/v1/subjects/${id}`, { headers: { Authorization: `Bearer ${secret}` } });
  expect(access.status).toBe(200);
  // A wrong secret answers 404, as for an unknown id (no oracle).
  const denied = await running!.fetch(`/v1/subjects/${id}`, { headers: { Authorization: 'Bearer wrong' } });
  expect(denied.status).toBe(404);

  const text = await metricsText();
  expect(text).not.toContain(id);
  expect(sample(text, 'tillit_http_request_duration_seconds_count{method="GET",route="/v1/subjects/:id",status="200"}')).toBe(1);
  expect(sample(text, 'tillit_subject_requests_total{kind="access",outcome="ok"}')).toBe(1);
  expect(sample(text, 'tillit_subject_requests_total{kind="access",outcome="not_found"}')).toBe(1);
  expect(sample(text, 'tillit_consent_decisions_total{purpose="analytics",outcome="granted"}')).toBe(1);
  // Not a configured purpose: one bounded label, whatever a client names.
  expect(sample(text, 'tillit_consent_decisions_total{purpose="other",outcome="denied"}')).toBe(1);
});

it('answers /metrics only to the operator token, and is off without one', async () => {
  collectorWithLog();
  expect((await running!.fetch('/metrics')).status).toBe(401);
  expect((await running!.fetch('/metrics', { headers: { Authorization: 'Bearer x'.padEnd(40, 'x') } })).status).toBe(401);
  await running!.destroy();
  running = testCollector();
  expect((await running.fetch('/metrics', { headers: { Authorization: `Bearer ${OPERATOR}` } })).status).toBe(404);
});

// SQLite refusing writes; PostgreSQL away or refusing is in pg/faults.test.ts.
it.skipIf(testStoreKind() === 'pg')('counts store failures answered 503', async () => {
  collectorWithLog();
  expect((await running!.fetch('/healthz')).status).toBe(200);
  // The database refuses every write, as when the disk is full or read-only.
  running!.db.pragma('query_only = 1');
  const consent = { writeKey: TEST_WRITE_KEY, anonymousId: 'anon-2', purposes: { analytics: true }, policyVersion: 'v1' };
  const res = await post('/v1/consent', { ...consent, source: 'banner', timestamp: new Date().toISOString() });
  expect(res.status).toBe(503);
  expect(sample(await metricsText(), 'tillit_store_errors_total{store="sqlite"}')).toBeGreaterThanOrEqual(1);
});

it('logs one JSON line per request with a request id, and no personal data', async () => {
  const { lines } = collectorWithLog();
  const anonymousId = `anon-${randomUUID()}`;
  const userId = `user-${randomUUID()}`;
  const secret = randomBytes(32).toString('base64url');
  const ip = '203.0.113.77';
  const consent = { writeKey: TEST_WRITE_KEY, anonymousId, userId, secret, purposes: { analytics: true } };
  await post(
    '/v1/consent',
    { ...consent, policyVersion: 'v1', source: 'banner', timestamp: new Date().toISOString() },
    {
      remoteAddress: ip,
    },
  );
  await post('/v1/batch', { writeKey: TEST_WRITE_KEY, batch: [event(anonymousId, { userId })] }, { remoteAddress: ip });
  await post('/v1/batch', { writeKey: TEST_WRITE_KEY, batch: [{ anonymousId, userId }] }, { remoteAddress: ip });
  const auth = { Authorization: `Bearer ${secret}` };
  await running!.fetch(`/v1/subjects/${anonymousId}/export?format=csv`, { headers: auth, remoteAddress: ip });
  await running!.fetch(`/v1/subjects/${userId}`, { headers: auth, remoteAddress: ip });
  await running!.fetch(`/v1/subjects/${anonymousId}`, { method: 'DELETE', headers: auth, remoteAddress: ip });
  await running!.fetch(`/nowhere/${anonymousId}`, { remoteAddress: ip });

  const records = lines.map((line) => JSON.parse(line));
  expect(records).toHaveLength(7);
  for (const record of records) {
    expect(record).toMatchObject({ level: 30, requestId: expect.any(String), method: expect.any(String) });
  }
  expect(records.map((r) => r.route)).toContain('/v1/subjects/:id/export');
  const log = lines.join('');
  for (const personal of [anonymousId, userId, secret, ip, '203.0.113', TEST_WRITE_KEY, OPERATOR]) {
    expect(log).not.toContain(personal);
  }
});

it('serves /metrics over HTTP with the request id header', async () => {
  collectorWithLog();
  const url = await running!.collector.listen();
  await fetch(`${url}/healthz`);
  const res = await fetch(`${url}/metrics`, { headers: { Authorization: `Bearer ${OPERATOR}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  const text = await res.text();
  expect(sample(text, 'tillit_http_request_duration_seconds_count{method="GET",route="/healthz",status="200"}')).toBe(1);
  expect((await fetch(`${url}/metrics`)).status).toBe(401);
});
