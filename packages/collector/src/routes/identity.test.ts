import { randomBytes, randomUUID } from 'node:crypto';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { mintToken } from '../auth.js';
import { type RunningCollector, TEST_ORIGIN, TEST_WRITE_KEY, startCollector } from '../testing.js';

// Issue 15 item 1, performed as the attacker would: over HTTP against a real collector on a real
// SQLite file, with only the public write key and a site token for the attacker's own account.

const TOKEN_KEY = 't'.repeat(40);
const SERVER_KEY = 'server-key-'.padEnd(40, 's');

let c: RunningCollector;
beforeEach(async () => {
  c = await startCollector({
    sites: [{ name: 'test', writeKey: TEST_WRITE_KEY, origins: [TEST_ORIGIN], tokenKeys: [TOKEN_KEY], serverKeys: [SERVER_KEY] }],
  });
});
afterEach(async () => {
  await c.destroy();
});

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

const proveLink = (browser: Browser, userId: string, credential = browser.secret) =>
  post(`/v1/subjects/${browser.id}/links`, { userId }, { Authorization: `Bearer ${credential}` });

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
  // Once proven, later records of that browser (which carry no secret) keep the user.
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
  expect((await proveLink(browser, '')).status).toBe(400);
});
