import { randomBytes, randomUUID } from 'node:crypto';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { mintToken } from '../auth.js';
import { type RunningCollector, TEST_ORIGIN, TEST_WRITE_KEY, startCollector } from '../testing.js';

// Issue 15 item 1, performed as the attacker would: over HTTP against a real collector on a real
// SQLite file (and on PostgreSQL in the node-pg project), with only the public write key and a site token for the attacker's own account.

const TOKEN_KEY = 't'.repeat(40);
const SERVER_KEY = 'server-key-'.padEnd(40, 's');

let c: RunningCollector;

interface Browser {
  id: string;
  secret: string;
}

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${c.url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

function send(events: Record<string, unknown>[], writeKey = TEST_WRITE_KEY) {
  const batch = events.map((e) => ({ type: 'track', messageId: randomUUID(), timestamp: new Date().toISOString(), ...e }));
  return post('/v1/batch', { writeKey, batch });
}

function consent(record: Record<string, unknown>) {
  return post('/v1/consent', {
    writeKey: TEST_WRITE_KEY,
    purposes: { analytics: true, marketing: true },
    policyVersion: '2026-11',
    source: 'banner',
    timestamp: new Date().toISOString(),
    ...record,
  });
}

/** A visitor who consented (binding their secret) and bought something. */
async function victimBrowser(): Promise<Browser> {
  const browser = { id: randomUUID(), secret: randomBytes(32).toString('base64url') };
  expect((await consent({ anonymousId: browser.id, secret: browser.secret })).status).toBe(201);
  await send([{ anonymousId: browser.id, event: 'Order Completed', properties: { address: 'Storgatan 1, Umeå' } }]);
  return browser;
}

async function subject(method: 'GET' | 'DELETE', id: string, credential: string, rest = '') {
  const res = await fetch(`${c.url}/v1/subjects/${encodeURIComponent(id)}${rest}`, {
    method,
    headers: { Authorization: `Bearer ${credential}` },
  });
  return { status: res.status, text: await res.text() };
}

const userToken = (userId: string) => mintToken({ key: TOKEN_KEY, userId });

const proveLink = (
  browser: Browser,
  userId: string,
  credential = browser.secret,
  token: string | undefined = userToken(userId),
) => post(`/v1/subjects/${browser.id}/links`, { userId, userToken: token }, { Authorization: `Bearer ${credential}` });

beforeEach(async () => {
  c = await startCollector({
    sites: [{ name: 'test', writeKey: TEST_WRITE_KEY, origins: [TEST_ORIGIN], tokenKeys: [TOKEN_KEY], serverKeys: [SERVER_KEY] }],
  });
});
afterEach(async () => {
  await c.destroy();
});

it('gives a forged identify link neither read nor erase access to the victim’s data', async () => {
  const victim = await victimBrowser();
  // The attacker reads the victim's anonymous id from the page and claims it for their own account,
  // by identify and by a consent record, with the public write key.
  expect((await send([{ type: 'identify', anonymousId: victim.id, userId: 'attacker' }])).status).toBe(200);
  expect((await consent({ anonymousId: victim.id, userId: 'attacker' })).status).toBe(201);
  const token = mintToken({ key: TOKEN_KEY, userId: 'attacker' });
  for (const rest of ['', '/export?format=json', '/export?format=csv']) {
    const read = await subject('GET', 'attacker', token, rest);
    expect(read.status).toBe(200);
    expect(read.text).not.toContain('Storgatan');
    expect(read.text).not.toContain('Order Completed');
  }
  expect((await subject('DELETE', 'attacker', token)).status).toBe(200);
  const own = await subject('GET', victim.id, victim.secret);
  expect(own.status).toBe(200);
  expect(own.text).toContain('Storgatan');
  // Without the victim's secret the attacker cannot prove the link either.
  expect((await proveLink(victim, 'attacker', randomBytes(32).toString('base64url'))).status).toBe(404);
  expect((await proveLink(victim, 'attacker', token)).status).toBe(404);
});

it('lets a consent record from the public write key claim no user: a forged decision never reaches the user', async () => {
  expect((await consent({ anonymousId: randomUUID(), userId: 'victim-user' })).status).toBe(201);
  expect((await consent({ anonymousId: null, userId: 'victim-user', purposes: { analytics: false } })).status).toBe(201);
  const read = await subject('GET', 'victim-user', mintToken({ key: TOKEN_KEY, userId: 'victim-user' }));
  expect(JSON.parse(read.text).data.consentRecords).toEqual([]);
});

it('opens every browser a user proved with its secret, or that the site’s backend linked with a server key', async () => {
  const phone = await victimBrowser();
  const laptop = await victimBrowser();
  await send([{ type: 'identify', anonymousId: phone.id, userId: 'user-1' }]);
  expect((await proveLink(phone, 'user-1')).status).toBe(201);
  expect((await send([{ type: 'identify', anonymousId: laptop.id, userId: 'user-1' }], SERVER_KEY)).status).toBe(200);
  const token = mintToken({ key: TOKEN_KEY, userId: 'user-1' });
  const access = JSON.parse((await subject('GET', 'user-1', token)).text);
  expect(access.data.subjects.map((s: { anonymousId: string }) => s.anonymousId).sort()).toEqual([phone.id, laptop.id].sort());
  expect(access.data.events.filter((e: { event: string }) => e.event === 'Order Completed')).toHaveLength(2);
  // Once proven, later records of that browser keep the user.
  await consent({ anonymousId: phone.id, userId: 'user-1', purposes: { analytics: false } });
  const after = JSON.parse((await subject('GET', 'user-1', token)).text);
  expect(after.data.consentRecords.filter((r: { userId: string }) => r.userId === 'user-1')).toHaveLength(1);
  expect(JSON.parse((await subject('DELETE', 'user-1', token)).text).deleted.subjects).toBe(2);
});

it('refuses a server key sent from a page, and a link request without a secret', async () => {
  const page = await fetch(`${c.url}/v1/batch`, {
    method: 'POST',
    headers: { Origin: TEST_ORIGIN },
    body: JSON.stringify({ writeKey: SERVER_KEY, batch: [] }),
  });
  expect(page.status).toBe(403);
  expect(((await page.json()) as { reason: string }).reason).toMatch(/server key was sent from a page/);
  const browser = await victimBrowser();
  const exchanged = await post(`/v1/subjects/${browser.id}/token`, {}, { Authorization: `Bearer ${browser.secret}` });
  const portal = (await exchanged.json()) as { token: string };
  expect((await proveLink(browser, 'user-1', portal.token)).status).toBe(403);
  expect((await proveLink(browser, '', browser.secret, userToken('user-1'))).status).toBe(400);
});

it('lets no browser link its own id to a victim’s user id with its secret alone: no forged events or consent reach the victim', async () => {
  // The attacker's own browser: a consented id whose secret the attacker holds.
  const attacker = await victimBrowser();
  await send([{ anonymousId: attacker.id, event: 'Forged Purchase' }]);
  const bare = await post(
    `/v1/subjects/${attacker.id}/links`,
    { userId: 'victim' },
    { Authorization: `Bearer ${attacker.secret}` },
  );
  expect(bare.status).toBe(202);
  expect(await bare.json()).toMatchObject({ proven: false, reason: expect.stringMatching(/userToken/) });
  // The attacker's own account's token, a portal token and garbage do not vouch for the victim.
  const portal = (await (
    await post(`/v1/subjects/${attacker.id}/token`, {}, { Authorization: `Bearer ${attacker.secret}` })
  ).json()) as {
    token: string;
  };
  for (const token of [userToken('attacker'), portal.token, 'x.y', mintToken({ key: 'k'.repeat(40), userId: 'victim' })]) {
    const res = await proveLink(attacker, 'victim', attacker.secret, token);
    expect(res.status, token).toBe(403);
    expect(((await res.json()) as { reason: string }).reason).toMatch(/userToken is not a live token/);
  }
  // A consent decision from the attacker's browser, and from a fresh id with a fresh secret, naming the victim.
  await consent({ anonymousId: attacker.id, userId: 'victim', purposes: { analytics: true, marketing: true } });
  await consent({ anonymousId: randomUUID(), secret: randomBytes(32).toString('base64url'), userId: 'victim' });
  const read = await subject('GET', 'victim', userToken('victim'));
  expect(read.status).toBe(200);
  const data = JSON.parse(read.text).data;
  expect(read.text).not.toContain('Forged Purchase');
  expect([data.consentRecords, data.subjects, data.identityLinks]).toEqual([[], [], []]);
});

it('links a browser to a user, and lets its consent records claim the user, with the site’s token for that user', async () => {
  const browser = await victimBrowser();
  const res = await proveLink(browser, 'user-7');
  expect(res.status).toBe(201);
  expect(await res.json()).toEqual({ anonymousId: browser.id, userId: 'user-7', proven: true });
  const fresh = { id: randomUUID(), secret: randomBytes(32).toString('base64url') };
  await consent({ anonymousId: fresh.id, secret: fresh.secret, userId: 'user-7', userToken: userToken('user-7') });
  const access = JSON.parse((await subject('GET', 'user-7', userToken('user-7'))).text);
  expect(access.data.subjects.map((s: { anonymousId: string }) => s.anonymousId).sort()).toEqual([browser.id, fresh.id].sort());
  expect(access.data.consentRecords.map((r: { userId: string }) => r.userId)).toContain('user-7');
});
