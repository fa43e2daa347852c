/**
 * The attacks of issue 15 on the collector, each performed against a real collector (real SQLite file;
 * over HTTP where the transport is part of the attack). Each test failed on the code before its fix.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { type IncomingHttpHeaders, type RequestOptions, request } from 'node:http';
import { connect } from 'node:net';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { mintToken } from './auth.js';
import type { CollectorConfigInput } from './config.js';
import { type TestCollector, testCollector } from './test-collector.js';
import { TEST_ORIGIN, TEST_WRITE_KEY, consentBody, testStoreKind } from './testing.js';

const TOKEN_KEY = 'k'.repeat(40);
const OPERATOR = 'operator-token-'.padEnd(40, 'x');
const CONFIG: Partial<CollectorConfigInput> = {
  sites: [{ name: 'test', writeKey: TEST_WRITE_KEY, origins: [TEST_ORIGIN], tokenKeys: [TOKEN_KEY] }],
  operatorToken: OPERATOR,
};

let running: TestCollector;
beforeEach(() => {
  running = testCollector(CONFIG);
});
afterEach(async () => {
  await running.destroy();
});

const newSecret = () => randomBytes(32).toString('base64url');
const subjectPath = (id: string, rest = '') => `/v1/subjects/${encodeURIComponent(id)}${rest}`;

/** A visitor who consented (binding a secret) and sent one event. */
async function visitor(): Promise<{ id: string; secret: string }> {
  const subject = { id: randomUUID(), secret: newSecret() };
  const consent = await running.fetch('/v1/consent', {
    method: 'POST',
    body: JSON.stringify(consentBody(subject)),
  });
  expect(consent.status).toBe(201);
  return subject;
}

async function dsr(method: string, path: string, credential: string, init: RequestInit & { remoteAddress?: string } = {}) {
  const res = await running.fetch(path, { method, ...init, headers: { Authorization: `Bearer ${credential}`, ...init.headers } });
  return { status: res.status, headers: res.headers, body: (await res.json()) as any };
}

it('a token mints no token: neither a portal token nor a site token renews itself (15.3)', async () => {
  const a = await visitor();
  const portal = await dsr('POST', subjectPath(a.id, '/token'), a.secret);
  expect(portal.status).toBe(201);
  const renewed = await dsr('POST', subjectPath(a.id, '/token'), portal.body.token);
  expect(renewed.status).toBe(403);
  expect(renewed.body.reason).toMatch(/send the subject secret/);
  const site = await dsr('POST', subjectPath('user-5', '/token'), mintToken({ key: TOKEN_KEY, userId: 'user-5' }));
  expect(site.status).toBe(403);
});

it('erasure ends every token of the subject issued before it (15.3)', async () => {
  const a = await visitor();
  const portal = (await dsr('POST', subjectPath(a.id, '/token'), a.secret)).body.token as string;
  expect((await dsr('DELETE', subjectPath(a.id), portal)).status).toBe(200);
  for (const [method, rest] of [
    ['GET', ''],
    ['DELETE', ''],
    ['GET', '/export'],
    ['POST', '/token'],
  ] as const) {
    expect({ method, rest, status: (await dsr(method, subjectPath(a.id, rest), portal)).status }).toEqual({
      method,
      rest,
      status: 404,
    });
  }

  const siteToken = mintToken({ key: TOKEN_KEY, userId: 'user-5' });
  expect((await dsr('DELETE', subjectPath('user-5'), siteToken)).status).toBe(200);
  expect((await dsr('GET', subjectPath('user-5'), siteToken)).status).toBe(404);
  // The user keeps their account: a token the site issues after the erasure opens what is held since.
  const later = mintToken({ key: TOKEN_KEY, userId: 'user-5', now: Date.now() + 1_500 });
  expect((await dsr('GET', subjectPath('user-5'), later)).status).toBe(200);
});

/** An HTTP request with headers fetch will not send as given (Host). */
function rawRequest(
  url: string,
  path: string,
  options: RequestOptions,
): Promise<{ status: number; headers: IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, options, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

it('never takes the Host header for its own origin: a DNS-rebound page is refused (15.12)', async () => {
  const url = await running.collector.listen();
  const { port } = new URL(url);
  const preflight = (origin: string, host: string) =>
    rawRequest(url, '/v1/subjects/someone', {
      method: 'OPTIONS',
      headers: { Host: host, Origin: origin, 'Access-Control-Request-Method': 'DELETE' },
    });
  // evil.example resolves to the collector's address: the browser sends Host and Origin of evil.example.
  const rebound = await preflight(`http://evil.example:${port}`, `evil.example:${port}`);
  expect(rebound.status).toBe(403);
  expect(rebound.headers['access-control-allow-origin']).toBeUndefined();
  // The collector's own /privacy page, on the origin it listens on, still may call it.
  const own = await preflight(url, new URL(url).host);
  expect(own.status).toBe(204);
  expect(own.headers['access-control-allow-origin']).toBe(url);
});

it('allows the configured publicOrigin, the collector as browsers reach it behind a proxy (15.12)', async () => {
  await running.destroy();
  running = testCollector({ ...CONFIG, publicOrigin: 'https://collect.shop.example' });
  const answer = await running.fetch('/healthz', { headers: { Origin: 'https://collect.shop.example' } });
  expect(answer.headers.get('access-control-allow-origin')).toBe('https://collect.shop.example');
  expect(
    (await running.fetch('/v1/subjects/x', { method: 'OPTIONS', headers: { Origin: 'https://other.example' } })).status,
  ).toBe(403);
});

it('rejects by index a clock-skew correction that would move an event by decades, and keeps the rest (15.13)', async () => {
  const event = (timestamp: string, sentAt?: string) => ({
    type: 'track',
    event: 'Skewed',
    messageId: randomUUID(),
    anonymousId: 'anon-skew',
    timestamp,
    ...(sentAt ? { sentAt } : {}),
  });
  const now = new Date().toISOString();
  const batch = [
    event(now, '2100-01-01T00:00:00.000Z'),
    event('0000-01-01T00:00:00.000Z', '9999-12-31T23:59:59.000Z'),
    event(new Date(Date.now() - 3_600_000).toISOString(), now),
  ];
  const res = await running.fetch('/v1/batch', { method: 'POST', body: JSON.stringify({ writeKey: TEST_WRITE_KEY, batch }) });
  const body = (await res.json()) as any;
  expect(body.accepted).toBe(1);
  expect(body.rejected.map((r: { index: number }) => r.index)).toEqual([0, 1]);
  for (const r of body.rejected)
    expect(r.reason).toMatch(/^timestamp: .* more than 395 days \(the retention period\) before it was received/);
  const times = (await running.sql.query<{ timestamp: number }>("SELECT timestamp FROM events WHERE event = 'Skewed'")).map(
    (r) => r.timestamp,
  );
  expect(times).toHaveLength(1);
  expect(Math.abs(times[0]! - (Date.now() - 3_600_000))).toBeLessThan(60_000);
});

/** `n` failed guesses at `id`, each from the address `from(i)` (and X-Forwarded-For `forwarded(i)`); their statuses. */
async function guesses(n: number, id: string, from: (i: number) => string, forwarded?: (i: number) => string) {
  const statuses: number[] = [];
  for (let i = 0; i < n; i++) {
    const headers: Record<string, string> = forwarded ? { 'X-Forwarded-For': forwarded(i) } : {};
    statuses.push((await dsr('GET', subjectPath(id), newSecret(), { remoteAddress: from(i), headers })).status);
  }
  return statuses;
}
const hex = (i: number) => i.toString(16);

it('counts failed guesses rotating inside one IPv6 /64 as one client (15.4)', async () => {
  await running.destroy();
  running = testCollector({ ...CONFIG, trustProxy: true, failureLimit: { max: 5, windowSeconds: 60 } });
  const statuses = await guesses(
    12,
    randomUUID(),
    () => '10.0.0.1',
    (i) => `2001:db8:1:2:${hex(i)}:${hex(i * 7)}::${hex(i + 1)}`,
  );
  expect(statuses).toEqual([...Array(5).fill(404), ...Array(7).fill(429)]);
});

it('takes the address the trusted proxy appended, not the one the client wrote before it (15.4)', async () => {
  await running.destroy();
  running = testCollector({ ...CONFIG, trustProxy: true, failureLimit: { max: 5, windowSeconds: 60 } });
  const url = await running.collector.listen();
  const statuses: number[] = [];
  for (let i = 0; i < 8; i++) {
    // The client writes a new address each time; the proxy appends the one it saw.
    const res = await fetch(`${url}${subjectPath(randomUUID())}`, {
      headers: { Authorization: `Bearer ${newSecret()}`, 'X-Forwarded-For': `198.51.100.${i}, 203.0.113.9` },
    });
    statuses.push(res.status);
  }
  expect(statuses).toEqual([...Array(5).fill(404), ...Array(3).fill(429)]);
});

it('limits failed guesses at one subject id from many addresses together (15.4)', async () => {
  await running.destroy();
  running = testCollector({ ...CONFIG, failureLimit: { max: 5, perSubject: 8, windowSeconds: 60 } });
  const a = await visitor();
  const statuses = await guesses(20, a.id, (i) => `127.0.0.${i + 2}`);
  expect(statuses).toEqual([...Array(8).fill(404), ...Array(12).fill(429)]);
  // Even the right secret waits now, from a fresh address; another subject is not held up.
  expect((await dsr('GET', subjectPath(a.id), a.secret, { remoteAddress: '127.0.0.200' })).status).toBe(429);
  const b = await visitor();
  expect((await dsr('GET', subjectPath(b.id), b.secret, { remoteAddress: '127.0.0.200' })).status).toBe(200);
});

it('never lets failed subject guesses lock out the operator on the same address (15.4)', async () => {
  await running.destroy();
  running = testCollector({ ...CONFIG, failureLimit: { max: 3, windowSeconds: 60 } });
  const a = await visitor();
  expect(await guesses(5, a.id, () => '192.0.2.7')).toEqual([404, 404, 404, 429, 429]);
  expect((await dsr('GET', '/v1/admin/register', OPERATOR, { remoteAddress: '192.0.2.7' })).status).toBe(200);
  const access = await dsr('GET', subjectPath(a.id, '?kind=anonymous'), OPERATOR, { remoteAddress: '192.0.2.7' });
  expect(access.status).toBe(200);
  // Wrong operator tokens are limited on their own.
  for (let i = 0; i < 3; i++)
    expect((await dsr('GET', '/v1/admin/audit', 'wrong', { remoteAddress: '192.0.2.8' })).status).toBe(401);
  expect((await dsr('GET', '/v1/admin/audit', OPERATOR, { remoteAddress: '192.0.2.8' })).status).toBe(429);
});

// SQLite refusing writes; PostgreSQL away or refusing is in pg/faults.test.ts.
it.skipIf(testStoreKind() === 'pg')(
  'answers 503 with Retry-After on every route when storage fails, and readiness says so (15.9)',
  async () => {
    const a = await visitor();
    expect((await running.fetch('/readyz')).status).toBe(200);
    // The database refuses every write, as it does when the disk is full or has gone read-only.
    running.db.pragma('query_only = 1');
    const consent = JSON.stringify({
      writeKey: TEST_WRITE_KEY,
      anonymousId: randomUUID(),
      purposes: { analytics: true },
      policyVersion: '2026-11',
      source: 'banner',
      timestamp: new Date().toISOString(),
    });
    const request = JSON.stringify({ kind: 'erasure', channel: 'email' });
    const answers = {
      consent: await running.fetch('/v1/consent', { method: 'POST', body: consent }),
      wrongSecret: await running.fetch(subjectPath(a.id), { headers: { Authorization: `Bearer ${newSecret()}` } }),
      operatorAccess: await running.fetch(subjectPath(a.id, '?kind=anonymous'), {
        headers: { Authorization: `Bearer ${OPERATOR}` },
      }),
      erasure: await running.fetch(subjectPath(a.id), { method: 'DELETE', headers: { Authorization: `Bearer ${a.secret}` } }),
      offlineRequest: await running.fetch('/v1/admin/requests', {
        method: 'POST',
        body: request,
        headers: { Authorization: `Bearer ${OPERATOR}`, 'Content-Type': 'application/json' },
      }),
      readiness: await running.fetch('/readyz'),
    };
    for (const [name, res] of Object.entries(answers)) {
      const body = (await res.json()) as { error: string };
      expect({ name, status: res.status, retryAfter: res.headers.get('retry-after'), error: body.error }).toEqual({
        name,
        status: 503,
        retryAfter: '5',
        error: 'unavailable',
      });
    }
    expect((await running.fetch('/healthz')).status).toBe(200);
    // Each failure is logged (JSON log, silent in tests) and counted where the operator looks.
    const metrics = await running.fetch('/metrics', { headers: { Authorization: `Bearer ${OPERATOR}` } });
    expect(await metrics.text()).toMatch(/^tillit_store_errors_total\{store="sqlite"\} [1-9]/m);
    running.db.pragma('query_only = 0');
  },
);

it('caps connections and closes clients that never finish their headers, so /healthz keeps answering (15.10)', async () => {
  await running.destroy();
  running = testCollector({ ...CONFIG, connections: { max: 20, headersTimeoutSeconds: 1, requestTimeoutSeconds: 2 } });
  const url = await running.collector.listen();
  const { hostname, port } = new URL(url);
  const sockets = Array.from({ length: 30 }, () => connect(Number(port), hostname));
  const outcomes = sockets.map(async (socket) => {
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk));
    // A reset (the collector refusing a connection over its cap) ends in 'close' too.
    const closed = new Promise((resolve) => socket.on('close', resolve));
    socket.on('error', () => {});
    socket.on('connect', () => socket.write('GET /healthz HTTP/1.1\r\nHost: collector\r\n')); // never the blank line ending the headers
    await closed;
    return answer.split('\r\n')[0] || 'closed unanswered';
  });
  // Every socket is closed by the collector: those over the cap at once, the others when their headers are late.
  const results = await Promise.all(outcomes);
  const timedOut = results.filter((r) => r === 'HTTP/1.1 408 Request Timeout').length;
  expect(timedOut).toBeGreaterThan(0);
  expect(timedOut).toBeLessThanOrEqual(20);
  expect(results.filter((r) => r === 'closed unanswered').length).toBe(30 - timedOut);
  expect((await fetch(`${url}/healthz`)).status).toBe(200);
});

it('counts a spray of failed guesses in one audit row per action and hour, not a row a guess (15.11)', async () => {
  await running.destroy();
  running = testCollector({ ...CONFIG, failureLimit: { max: 1_000, perSubject: 1_000, windowSeconds: 900 } });
  const audit = () =>
    running.sql.query<{ action: string; count: number }>("SELECT action, count FROM audit_log WHERE site = '*'");
  const statuses = await guesses(60, randomUUID(), (i) => `192.0.2.${i}`);
  expect(new Set(statuses)).toEqual(new Set([404]));
  for (let i = 0; i < 20; i++) expect((await dsr('DELETE', subjectPath(randomUUID()), newSecret())).status).toBe(404);
  const rows = await audit();
  // One row per action (unless the hour turned during the test: then two).
  expect(rows.length).toBeLessThanOrEqual(4);
  const total = (action: string) => rows.filter((r) => r.action === action).reduce((n, r) => n + Number(r.count), 0);
  expect([total('access'), total('erase')]).toEqual([60, 20]);
});
