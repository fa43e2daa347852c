import { randomBytes, randomUUID } from 'node:crypto';
import { ErasureReceipt, PortalToken, SubjectAccess } from '@tillit/schema';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { mintToken, signClaims } from '../auth.js';
import type { CollectorConfigInput } from '../config.js';
import { type TestCollector, testCollector } from '../test-collector.js';
import { TEST_ORIGIN, TEST_WRITE_KEY, consentBody } from '../testing.js';

const TOKEN_KEY = 'k'.repeat(40);
const OTHER_KEY = 'o'.repeat(40);
const OPERATOR = 'operator-token-'.padEnd(40, 'x');
const SERVER_KEY = 'server-key-'.padEnd(40, 's');
const CONFIG: Partial<CollectorConfigInput> = {
  sites: [{ name: 'test', writeKey: TEST_WRITE_KEY, origins: [TEST_ORIGIN], tokenKeys: [TOKEN_KEY], serverKeys: [SERVER_KEY] }],
  operatorToken: OPERATOR,
  failureLimit: { max: 20, windowSeconds: 60 },
};

let running: TestCollector;
beforeEach(async () => {
  running = testCollector(CONFIG);
});
afterEach(async () => {
  await running.destroy();
});

const newSecret = () => randomBytes(32).toString('base64url');

interface Subject {
  id: string;
  secret: string;
}

async function consent(subject: Subject, extra: Record<string, unknown> = {}) {
  const res = await running.fetch(`/v1/consent`, {
    method: 'POST',
    body: JSON.stringify(consentBody(subject, extra)),
  });
  expect(res.status).toBe(201);
}

async function track(anonymousId: string | null, events: Record<string, unknown>[], writeKey = TEST_WRITE_KEY) {
  const batch = events.map((e) => ({
    type: 'track',
    event: 'Product Viewed',
    messageId: randomUUID(),
    anonymousId,
    timestamp: new Date().toISOString(),
    ...e,
  }));
  const res = await running.fetch(`/v1/batch`, {
    method: 'POST',
    body: JSON.stringify({ writeKey, batch }),
  });
  return (await res.json()) as { accepted: number; duplicates: number };
}

/**
 * The browser proves with its own secret that it is this browser, and the site's token that its user is
 * that user (identify() alone only claims it).
 */
async function proveLink(subject: Subject, userId: string) {
  const res = await running.fetch(`/v1/subjects/${subject.id}/links`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${subject.secret}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ userId, userToken: mintToken({ key: TOKEN_KEY, userId }) }),
  });
  expect(res.status).toBe(201);
}

/** A visitor who accepted and sent two events. */
async function visitor(): Promise<Subject> {
  const subject = { id: randomUUID(), secret: newSecret() };
  await consent(subject);
  await track(subject.id, [{ properties: { sku: `sku-of-${subject.id}` } }, { event: 'Checkout' }]);
  return subject;
}

/** A data-subject request, in-process, or over HTTP to `baseUrl` when given. */
async function dsr(method: string, path: string, credential?: string, headers: Record<string, string> = {}, baseUrl?: string) {
  const send = baseUrl ? (p: string, init: RequestInit) => fetch(`${baseUrl}${p}`, init) : running.fetch;
  const res = await send(path, {
    method,
    headers: { ...(credential ? { Authorization: `Bearer ${credential}` } : {}), ...headers },
  });
  const text = await res.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: res.status, headers: res.headers, body, text };
}

const subjectPath = (id: string, rest = '') => `/v1/subjects/${encodeURIComponent(id)}${rest}`;

/** Every text cell of every table that contains `needle`, as "table.column". */
const cellsContaining = (needle: string) => running.sql.cellsContaining(needle);

it('answers access with every row of the subject and nothing of another subject', async () => {
  const a = await visitor();
  const b = await visitor();
  const { status, body } = await dsr('GET', subjectPath(a.id), a.secret);
  expect(status).toBe(200);
  expect(SubjectAccess.safeParse(body).error).toBeUndefined();
  expect(body.confirmation).toBe(true);
  expect(body.subject).toEqual({ kind: 'anonymous', id: a.id, site: 'test' });
  expect(body.data.events.map((e: { event: string }) => e.event).sort()).toEqual(['Checkout', 'Product Viewed']);
  expect(body.data.events[0].properties ?? body.data.events[1].properties).toEqual({ sku: `sku-of-${a.id}` });
  expect(body.data.consentRecords).toHaveLength(1);
  expect(body.data.consentRecords[0].purposes).toEqual({ analytics: true });
  expect(body.data.subjects.map((s: { anonymousId: string }) => s.anonymousId)).toEqual([a.id]);
  expect(body.data.requests.map((r: { action: string }) => r.action)).toEqual(['access']);
  expect(body.processing.retention.eventsDays).toBe(395);
  expect(body.processing.supervisoryAuthority.name).toMatch(/IMY/);
  expect(body.processing.rights.join(' ')).toMatch(/complaint/);
  expect(JSON.stringify(body)).not.toContain(b.id);
  expect(JSON.stringify(body)).not.toContain(a.secret);
});

it('gives a second subject’s secret, a wrong secret and an unknown id the same answer, and erases nothing', async () => {
  const a = await visitor();
  const b = await visitor();
  const answers = [
    await dsr('GET', subjectPath(a.id), b.secret),
    await dsr('GET', subjectPath(a.id), newSecret()),
    await dsr('GET', subjectPath(randomUUID()), a.secret),
    await dsr('GET', subjectPath(a.id, '/export?format=csv'), b.secret),
    await dsr('DELETE', subjectPath(a.id), b.secret),
    await dsr('POST', subjectPath(a.id, '/token'), b.secret),
  ];
  for (const answer of answers) {
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual({ error: 'not_found', reason: 'no data for these credentials' });
  }
  expect(await running.sql.count('SELECT count(*) AS n FROM events WHERE anonymous_id = ?', a.id)).toBe(2);
  const missing = await dsr('GET', subjectPath(a.id));
  expect(missing.status).toBe(401);
  expect(missing.body.reason).toMatch(/Authorization: Bearer/);
});

it('lets a logged-in user in with a token from the site’s key, covering every proven linked anonymous id', async () => {
  const phone = await visitor();
  const laptop = await visitor();
  // The phone proves its link with its secret; the laptop's comes from the site's backend (server key).
  await track(phone.id, [{ type: 'identify', event: undefined, userId: 'user-42', traits: { plan: 'pro' } }]);
  await proveLink(phone, 'user-42');
  await track(laptop.id, [{ type: 'identify', event: undefined, userId: 'user-42' }], SERVER_KEY);
  // Someone else logged in on the same phone later: their link is not user-42's to see.
  await track(phone.id, [{ type: 'identify', event: undefined, userId: 'user-99' }]);
  const stranger = await visitor();
  const token = mintToken({ key: TOKEN_KEY, userId: 'user-42' });
  const { status, body } = await dsr('GET', subjectPath('user-42'), token);
  expect(status).toBe(200);
  expect(body.subject).toEqual({ kind: 'user', id: 'user-42', site: 'test' });
  expect(body.data.events).toHaveLength(7);
  expect(body.data.identityLinks.map((l: { anonymousId: string }) => l.anonymousId).sort()).toEqual([phone.id, laptop.id].sort());
  expect(body.data.identityLinks.map((l: { userId: string }) => l.userId)).toEqual(['user-42', 'user-42']);
  expect(JSON.stringify(body)).not.toContain(stranger.id);
  // The token names one user: it opens nothing else.
  expect((await dsr('GET', subjectPath('user-43'), token)).status).toBe(404);
  expect((await dsr('GET', subjectPath(phone.id), token)).status).toBe(404);
});

it('refuses forged, expired, wrong-key and over-long tokens with the same answer as an unknown id', async () => {
  await visitor();
  const good = mintToken({ key: TOKEN_KEY, userId: 'user-42' });
  const [payload, mac] = good.split('.');
  const forgedClaims = Buffer.from(JSON.stringify({ sub: 'user-43', exp: Math.floor(Date.now() / 1000) + 600 })).toString(
    'base64url',
  );
  const tokens = {
    forged: `${forgedClaims}.${mac}`,
    expired: mintToken({ key: TOKEN_KEY, userId: 'user-42', now: Date.now() - 11 * 60_000 }),
    wrongKey: mintToken({ key: OTHER_KEY, userId: 'user-42' }),
    tooLong: signClaims(TOKEN_KEY, { sub: 'user-42', exp: Math.floor(Date.now() / 1000) + 24 * 3600 }),
    truncated: `${payload}.${mac!.slice(0, -2)}AA`,
  };
  for (const [name, token] of Object.entries(tokens)) {
    const sub = name === 'forged' ? 'user-43' : 'user-42';
    const answer = await dsr('GET', subjectPath(sub), token);
    expect({ name, status: answer.status, body: answer.body }).toEqual({
      name,
      status: 404,
      body: { error: 'not_found', reason: 'no data for these credentials' },
    });
  }
  expect((await dsr('GET', subjectPath('user-42'), good)).status).toBe(200);
  expect(() => mintToken({ key: TOKEN_KEY, userId: 'u', minutes: 61 })).toThrow(/minutes must be between 1 and 60/);
});

it('rate limits repeated failures per client, even when the right secret comes next', async () => {
  await running.destroy();
  running = testCollector({ ...CONFIG, failureLimit: { max: 3, windowSeconds: 60 } });
  const a = await visitor();
  for (let i = 0; i < 3; i++) expect((await dsr('GET', subjectPath(a.id), newSecret())).status).toBe(404);
  const limited = await dsr('GET', subjectPath(a.id), a.secret);
  expect(limited.status).toBe(429);
  expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(limited.body.error).toBe('too_many_requests');
});

it('erases over HTTP in one go: no row of the subject is left in any table, consent proof keeps a keyed hash only', async () => {
  const url = await running.collector.listen();
  const a = await visitor();
  const b = await visitor();
  await consent(a, { purposes: { analytics: false }, secret: undefined, userId: 'user-a' });
  await track(a.id, [{ type: 'identify', event: undefined, userId: 'user-a', traits: { email: 'a@example.com' } }]);
  await dsr('GET', subjectPath(a.id), a.secret);
  expect((await cellsContaining(a.id)).length).toBeGreaterThan(0);

  const erased = await dsr('DELETE', subjectPath(a.id), a.secret, { Origin: TEST_ORIGIN }, url);
  expect(erased.status).toBe(200);
  expect(ErasureReceipt.safeParse(erased.body).error).toBeUndefined();
  expect(erased.body).toMatchObject({
    receiptId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    subjectHash: expect.stringMatching(/^[0-9a-f]{64}$/),
    deleted: { events: 3, identityLinks: 1, subjects: 1 },
    pseudonymised: { consentRecords: 2 },
  });
  expect(await cellsContaining(a.id)).toEqual([]);
  expect(await cellsContaining('a@example.com')).toEqual([]);
  const proof = await running.sql.count(
    'SELECT count(*) AS n FROM consent_records WHERE subject_hash = ?',
    erased.body.subjectHash,
  );
  expect(proof).toBe(2);
  const audit = await running.sql.query(
    `SELECT action, outcome, receipt_id AS "receiptId" FROM audit_log WHERE action = 'erase'`,
  );
  expect(audit).toEqual([{ action: 'erase', outcome: 'ok', receiptId: erased.body.receiptId }]);
  // The other subject keeps everything, and the erased secret opens nothing any more.
  expect(await running.sql.count('SELECT count(*) AS n FROM events WHERE anonymous_id = ?', b.id)).toBe(2);
  expect((await dsr('GET', subjectPath(a.id), a.secret)).status).toBe(404);
});

it('erases a logged-in user with the events of every proven linked anonymous id', async () => {
  const phone = await visitor();
  const laptop = await visitor();
  await track(phone.id, [{ type: 'identify', event: undefined, userId: 'user-42' }]);
  await proveLink(phone, 'user-42');
  await track(laptop.id, [{ type: 'identify', event: undefined, userId: 'user-42' }], SERVER_KEY);
  await track(null, [{ userId: 'user-42', event: 'Server Side' }]);
  const token = mintToken({ key: TOKEN_KEY, userId: 'user-42' });
  const { status, body } = await dsr('DELETE', subjectPath('user-42'), token);
  expect(status).toBe(200);
  expect(body.deleted).toEqual({ events: 7, identityLinks: 2, subjects: 2 });
  for (const id of ['user-42', phone.id, laptop.id]) expect(await cellsContaining(id)).toEqual([]);
});

it('drops a late event for an erased subject, also after a restart, and counts it as a duplicate', async () => {
  const a = await visitor();
  expect((await dsr('DELETE', subjectPath(a.id), a.secret)).status).toBe(200);
  expect(await track(a.id, [{ event: 'Late' }, { event: 'Late' }])).toMatchObject({ accepted: 0, duplicates: 2 });
  const other = await track(randomUUID(), [{ event: 'Fine' }]);
  expect(other).toMatchObject({ accepted: 1, duplicates: 0 });
  // A late withdrawal is kept as proof, under the keyed hash only.
  await consent({ id: a.id, secret: newSecret() }, { purposes: { analytics: false } });
  expect(await cellsContaining(a.id)).toEqual([]);

  await running.stop();
  running = testCollector(CONFIG, running.dataDir);
  expect(await track(a.id, [{ event: 'Later' }])).toMatchObject({ accepted: 0, duplicates: 1 });
  expect(await cellsContaining(a.id)).toEqual([]);
});

it('leaves no event of a subject erased during a burst of its events (inserts on the writer thread)', async () => {
  const a = await visitor();
  const other = randomUUID();
  const burst = Array.from({ length: 60 }, (_, i) => track(i % 3 === 0 ? other : a.id, [{ event: 'Burst' }, { event: 'Burst' }]));
  await new Promise((resolve) => setTimeout(resolve, 2));
  const erased = dsr('DELETE', subjectPath(a.id), a.secret);
  const more = Array.from({ length: 30 }, () => track(a.id, [{ event: 'After' }]));
  expect((await erased).status).toBe(200);
  await Promise.all([...burst, ...more]);
  expect(await cellsContaining(a.id)).toEqual([]);
  expect(await running.sql.count('SELECT count(*) AS n FROM events WHERE anonymous_id = ?', other)).toBe(40);
});

it('accepts a user’s events made after their erasure, but drops those made before it', async () => {
  const a = await visitor();
  await track(a.id, [{ type: 'identify', event: undefined, userId: 'user-7' }]);
  const before = new Date(Date.now() - 60_000).toISOString();
  await dsr('DELETE', subjectPath('user-7'), mintToken({ key: TOKEN_KEY, userId: 'user-7' }));
  const fresh = randomUUID();
  expect(await track(fresh, [{ userId: 'user-7', timestamp: before }])).toMatchObject({ accepted: 0, duplicates: 1 });
  expect(await track(fresh, [{ userId: 'user-7' }])).toMatchObject({ accepted: 1 });
});

it('exports JSON and CSV as downloads, with spreadsheet formulas neutralised', async () => {
  const a = { id: randomUUID(), secret: newSecret() };
  await consent(a);
  await track(a.id, [
    { event: '=HYPERLINK("http://evil.test","click")', properties: { note: 'a, "quoted"\nline' } },
    { event: '+1+1' },
    { event: '@SUM(A1)' },
    { event: '-2' },
    { event: '\tTabbed' },
  ]);
  const csv = await dsr('GET', subjectPath(a.id, '/export?format=csv'), a.secret);
  expect(csv.status).toBe(200);
  expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
  expect(csv.headers.get('content-disposition')).toBe('attachment; filename="tillit-data.csv"');
  const lines = csv.text.split('\r\n');
  expect(lines[0]).toBe('record,time,id,type,name,anonymous_id,user_id,details');
  expect(csv.text).toContain(`"'=HYPERLINK(""http://evil.test"",""click"")"`);
  expect(csv.text).toContain(",'+1+1,");
  expect(csv.text).toContain(",'@SUM(A1),");
  expect(csv.text).toContain(",'-2,");
  expect(csv.text).toContain(",'\tTabbed,");
  expect(csv.text).not.toMatch(/,[=+@-]/);
  expect(csv.text).toContain(a.id);

  const json = await dsr('GET', subjectPath(a.id, '/export?format=json'), a.secret);
  expect(json.headers.get('content-disposition')).toBe('attachment; filename="tillit-data.json"');
  expect(json.body.data.events).toHaveLength(5);
  expect((await dsr('GET', subjectPath(a.id, '/export?format=xml'), a.secret)).status).toBe(400);
});

it('refuses form content types on erase, so no plain cross-site form can reach it', async () => {
  const a = await visitor();
  for (const type of ['application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'text/plain']) {
    const answer = await dsr('DELETE', subjectPath(a.id), a.secret, { 'Content-Type': type });
    expect(answer.status).toBe(415);
  }
  const fromEvil = await dsr('DELETE', subjectPath(a.id), a.secret, { Origin: 'http://evil.test' });
  expect(fromEvil.status).toBe(403);
  expect(await running.sql.count('SELECT count(*) AS n FROM events WHERE anonymous_id = ?', a.id)).toBe(2);
});

it('exchanges a secret for a short-lived portal token that opens that subject only', async () => {
  const a = await visitor();
  const b = await visitor();
  const { status, body } = await dsr('POST', subjectPath(a.id, '/token'), a.secret);
  expect(status).toBe(201);
  expect(PortalToken.safeParse(body).error).toBeUndefined();
  expect(Date.parse(body.expiresAt) - Date.now()).toBeLessThanOrEqual(15 * 60_000);
  expect((await dsr('GET', subjectPath(a.id), body.token)).body.subject.id).toBe(a.id);
  expect((await dsr('GET', subjectPath(b.id), body.token)).status).toBe(404);
  // A portal token is not a site token: it cannot be replayed as another user of the site.
  expect((await dsr('GET', subjectPath('user-1'), body.token)).status).toBe(404);
});

it('deletes events older than the retention period at start and keeps recent ones', async () => {
  const a = await visitor();
  const old = Date.now() - 400 * 86_400_000;
  await running.sql.query(
    `INSERT INTO events (message_id, site, type, event, anonymous_id, user_id, timestamp, received_at, payload)
     VALUES (?, 'test', 'track', 'Old', ?, NULL, ?, ?, '{}')`,
    randomUUID(),
    a.id,
    old,
    old,
  );
  expect(await running.sql.count('SELECT count(*) AS n FROM events')).toBe(3);
  await running.stop();
  running = testCollector(CONFIG, running.dataDir);
  await running.collector.listen(); // retention runs as the collector starts
  const events = await running.sql.query('SELECT event FROM events ORDER BY event');
  expect(events).toEqual([{ event: 'Checkout' }, { event: 'Product Viewed' }]);

  await running.sql.query("UPDATE events SET received_at = ? WHERE event = 'Checkout'", Date.now() - 31 * 86_400_000);
  await running.destroy();
  running = testCollector({ ...CONFIG, retentionDays: 30 });
  // A fresh collector with a 30-day period says so in the Art. 15 answer.
  const b = await visitor();
  expect((await dsr('GET', subjectPath(b.id), b.secret)).body.processing.retention).toMatchObject({ eventsDays: 30 });
  expect(await running.collector.purgeExpired()).toEqual({ events: 0, identityLinks: 0 });
});

it('records offline requests with a due date one month later and tracks them until answered', async () => {
  const created = await running.fetch(`/v1/admin/requests`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${OPERATOR}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      kind: 'erasure',
      channel: 'email',
      receivedAt: '2026-01-31T10:00:00.000Z',
      subjectId: 'user-9',
      reference: 'T-1',
    }),
  });
  expect(created.status).toBe(201);
  const request = (await created.json()) as any;
  expect(request).toMatchObject({ kind: 'erasure', state: 'received', dueAt: '2026-02-28T10:00:00.000Z', overdue: true });
  expect(JSON.stringify(request)).not.toContain('user-9');

  const open = await dsr('GET', '/v1/admin/requests?state=open', OPERATOR);
  expect(open.body.requests.map((r: { receiptId: string }) => r.receiptId)).toEqual([request.receiptId]);
  const answered = await running.fetch(`/v1/admin/requests/${request.receiptId}`, {
    method: 'PATCH',
    headers: { Authorization: `Bearer ${OPERATOR}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ state: 'answered' }),
  });
  expect(((await answered.json()) as any).answeredAt).toBeTruthy();
  expect((await dsr('GET', '/v1/admin/requests?state=open', OPERATOR)).body.requests).toEqual([]);

  // The user sees the request recorded about them in their access answer.
  const token = mintToken({ key: TOKEN_KEY, userId: 'user-9' });
  const access = await dsr('GET', subjectPath('user-9'), token);
  expect(access.body.confirmation).toBe(false);
  expect(access.body.data.requests).toContainEqual(
    expect.objectContaining({ channel: 'email', action: 'erasure', outcome: 'answered', receiptId: request.receiptId }),
  );

  const audit = await dsr('GET', '/v1/admin/audit', OPERATOR);
  expect(audit.body.entries.map((e: { action: string; outcome: string }) => `${e.action}:${e.outcome}`)).toEqual([
    'access:ok',
    'request.erasure:answered',
    'request.erasure:recorded',
  ]);
  expect(audit.text).not.toContain('user-9');
  expect(audit.text).not.toContain('127.0.0.1');
  expect((await dsr('GET', '/v1/admin/register', OPERATOR)).body.retention.eventsDays).toBe(395);
  expect((await dsr('GET', '/v1/admin/register', 'wrong')).status).toBe(401);
});

it('lets the operator act on a request received offline, for one site at a time', async () => {
  const a = await visitor();
  const access = await dsr('GET', subjectPath(a.id, '?kind=anonymous&site=test'), OPERATOR);
  expect(access.body.data.events).toHaveLength(2);
  const erased = await dsr('DELETE', subjectPath(a.id, '?kind=anonymous&site=test'), OPERATOR);
  expect(erased.body.deleted.events).toBe(2);
  expect(await cellsContaining(a.id)).toEqual([]);
});

it('refuses an operator request whose ?kind= or ?site= is not one it knows, naming it', async () => {
  const a = await visitor();
  const misspelt = await dsr('DELETE', subjectPath(a.id, '?kind=anonymus&site=test'), OPERATOR);
  expect(misspelt.status).toBe(400);
  expect(misspelt.body.reason).toMatch(/kind/);
  const unknown = await dsr('GET', subjectPath(a.id, '?kind=anonymous&site=nope'), OPERATOR);
  expect(unknown.status).toBe(400);
  expect(unknown.body.reason).toMatch(/site.*test/);
  expect(await cellsContaining(a.id)).not.toEqual([]);
});

it('serves the standalone privacy page with a strict CSP and without the token reaching the server', async () => {
  const page = await running.fetch(`/privacy`);
  expect(page.status).toBe(200);
  expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
  expect(page.headers.get('referrer-policy')).toBe('no-referrer');
  expect(await page.text()).toContain('<tillit-privacy-portal');
  const bundle = await running.fetch(`/privacy/tillit-portal.js`);
  // Built or not, the answer says what it is.
  if (bundle.status === 200) expect(bundle.headers.get('content-type')).toMatch(/javascript/);
  else expect(((await bundle.json()) as any).reason).toMatch(/not built/);
});
