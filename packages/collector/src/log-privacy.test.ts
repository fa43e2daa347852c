// What the e2e suite sends (ingest on every route style, consent, access and export with the subject's
// secret, failed guesses, erasure, operator calls, a store failure) to a real collector over HTTP,
// with its JSON log captured: no line may carry an id, an address, an e-mail address or a secret.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { SqliteStore } from './sqlite-store.js';
import type { ConsentRow } from './store.js';
import { type TestCollector, testCollector } from './test-collector.js';
import { TEST_ORIGIN, TEST_WRITE_KEY, consentBody } from './testing.js';

const OPERATOR = 'operator-token-'.padEnd(40, 'p');
let running: TestCollector | undefined;
afterEach(async () => {
  await running?.destroy();
});

it('leaves no id, address, e-mail address or secret in the log of a whole session', async () => {
  const anonymousId = `anon-${randomUUID()}`;
  const userId = `user-${randomUUID()}`;
  const email = 'ada.lovelace@example.org';
  const secret = randomBytes(32).toString('base64url');
  const ip = '203.0.113.77';
  const lines: string[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'tillit-collector-'));
  const sqlite = new SqliteStore({ dataDir, durability: 'normal' });
  // A store whose driver refuses one consent record quoting it, as PostgreSQL's errors quote values.
  let failNext = false;
  const store = new Proxy(sqlite, {
    get(target, name, receiver) {
      if (name !== 'appendConsent') return Reflect.get(target, name, receiver);
      return (row: ConsentRow, ...rest: [string | null]) => {
        if (!failNext) return target.appendConsent(row, ...rest);
        failNext = false;
        return Promise.reject(new Error(`value too long for type text: "${row.anonymousId}" (${email}, ${ip}, ${userId})`));
      };
    },
  });
  running = testCollector({ operatorToken: OPERATOR, logLevel: 'trace', trustProxy: 1 }, dataDir, {
    store,
    logDestination: { write: (line: string) => lines.push(line) },
  });
  const url = await running.collector.listen();
  const send = async (path: string, init: RequestInit & { token?: string } = {}) => {
    const { token, headers, ...rest } = init;
    const res = await fetch(`${url}${path}`, {
      ...rest,
      headers: { 'X-Forwarded-For': ip, Origin: TEST_ORIGIN, ...(token ? { Authorization: `Bearer ${token}` } : {}), ...headers },
    });
    await res.arrayBuffer();
    return res.status;
  };
  const post = (path: string, body: unknown, token?: string) =>
    send(path, { method: 'POST', body: JSON.stringify(body), ...(token ? { token } : {}) });
  const at = () => new Date().toISOString();
  const context = {
    ip,
    consent: { purposes: ['analytics'], policyVersion: '2026-11' },
    page: { url: `https://shop.test/?email=${email}` },
  };

  expect(await post('/v1/consent', consentBody({ id: anonymousId, secret }))).toBe(201);
  const batch = [
    { type: 'identify', messageId: randomUUID(), anonymousId, userId, traits: { email }, timestamp: at(), context },
    { type: 'track', event: 'Signed Up', messageId: randomUUID(), anonymousId, userId, timestamp: at(), context },
    { type: 'track', anonymousId, properties: { email } }, // rejected: no messageId
  ];
  expect(await post('/v1/batch', { writeKey: TEST_WRITE_KEY, batch, sentAt: at() })).toBe(200);
  expect(
    await post('/v1/track', { writeKey: TEST_WRITE_KEY, event: 'Viewed', anonymousId, messageId: randomUUID(), context }),
  ).toBe(200);
  const subject = `/v1/subjects/${encodeURIComponent(anonymousId)}`;
  expect(await send(subject, { token: secret })).toBe(200);
  expect(await send(`${subject}/export?format=csv`, { token: secret })).toBe(200);
  for (const wrong of [randomBytes(32).toString('base64url'), email, userId])
    expect(await send(subject, { token: wrong })).toBe(404);
  expect(await send(`/v1/subjects/${encodeURIComponent(email)}`, { token: secret })).toBe(404);
  expect(await send('/v1/admin/register', { token: OPERATOR })).toBe(200);
  expect(await send('/v1/admin/register', { token: secret })).toBe(401);
  expect(
    await post('/v1/admin/requests', { kind: 'access', channel: 'email', subjectId: email, reference: 'T-1' }, OPERATOR),
  ).toBe(201);
  expect(await send('/v1/admin/audit', { token: OPERATOR })).toBe(200);
  expect(await send(`${subject}?kind=anonymous`, { token: OPERATOR })).toBe(200);
  expect(await send('/v1/export?format=ndjson', { token: OPERATOR })).toBe(200);
  expect(await send(`/v1/export?site=${email}`, { token: OPERATOR })).toBe(400);
  expect(await send('/metrics', { token: OPERATOR })).toBe(200);
  failNext = true;
  expect(await post('/v1/consent', consentBody({ id: anonymousId, secret }, { userId }))).toBe(503);
  expect(await send(subject, { method: 'DELETE', token: secret })).toBe(200);
  expect(await send(`/nowhere/${encodeURIComponent(email)}/${anonymousId}`)).toBe(404);

  const records = lines.map((line) => JSON.parse(line));
  expect(records.filter((r) => r.msg === 'request').length).toBeGreaterThanOrEqual(18);
  expect(records.filter((r) => r.msg === 'store failed')).toHaveLength(1);
  const log = lines.join('');
  for (const personal of [anonymousId, userId, email, 'ada.lovelace', ip, '203.0.113', secret, OPERATOR, TEST_WRITE_KEY]) {
    expect({ personal, found: log.includes(personal) }).toEqual({ personal, found: false });
  }
});
