import { randomBytes, randomUUID } from 'node:crypto';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { type RunningCollector, TEST_ORIGIN, TEST_WRITE_KEY, consentBody, startCollector } from '../testing.js';

// Issue 12, the identity cookie (POST /v1/identity), over HTTP against a real collector on a real SQLite file
// (and on PostgreSQL in the node-pg project). The attacks are made as an attacker would: knowing the
// victim's anonymous id (it is in every event), with the public write key, the site's Origin and any Cookie
// header a script outside a browser can send.

const OTHER_KEY = 'other-write-key';
let c: RunningCollector;

interface Browser {
  id: string;
  secret: string;
}

const newSecret = () => randomBytes(32).toString('hex');

function ask(body: Record<string, unknown>, { cookie, origin = TEST_ORIGIN }: { cookie?: string; origin?: string | null } = {}) {
  const headers: Record<string, string> = {};
  if (origin) headers.Origin = origin;
  if (cookie !== undefined) headers.Cookie = cookie;
  return fetch(`${c.url}/v1/identity`, { method: 'POST', headers, body: JSON.stringify({ writeKey: TEST_WRITE_KEY, ...body }) });
}

const NAME = '__Host-tillit_aid';

/** The cookie a Set-Cookie header sets: its name, value and attributes. */
function setCookie(res: Response) {
  const header = res.headers.get('set-cookie') ?? '';
  const [pair = '', ...attributes] = header.split('; ');
  const [name, value] = pair.split(/=(.*)/s, 2);
  return { name, value: value ?? '', attributes };
}

async function consentedBrowser(): Promise<Browser> {
  const browser = { id: randomUUID(), secret: newSecret() };
  const res = await fetch(`${c.url}/v1/consent`, { method: 'POST', body: JSON.stringify(consentBody(browser)) });
  expect(res.status).toBe(201);
  const batch = [
    {
      type: 'track',
      messageId: randomUUID(),
      anonymousId: browser.id,
      event: 'Order Completed',
      properties: { address: 'Storgatan 1' },
    },
  ];
  expect(
    (await fetch(`${c.url}/v1/batch`, { method: 'POST', body: JSON.stringify({ writeKey: TEST_WRITE_KEY, batch }) })).status,
  ).toBe(200);
  return browser;
}

/** The signed cookie value the collector sets for a browser that proves its id with its secret. */
async function cookieOf(browser: Browser, maxAge = 3600): Promise<string> {
  const res = await ask({ anonymousId: browser.id, secret: browser.secret, maxAge });
  expect(res.status).toBe(200);
  return setCookie(res).value;
}

const subject = (id: string, secret: string, method = 'GET') =>
  fetch(`${c.url}/v1/subjects/${id}`, { method, headers: { Authorization: `Bearer ${secret}` } });

beforeEach(async () => {
  c = await startCollector({
    sites: [
      { name: 'test', writeKey: TEST_WRITE_KEY, origins: [TEST_ORIGIN, 'http://127.0.0.1:8080'], serverCookie: true },
      { name: 'other', writeKey: OTHER_KEY, origins: ['https://other.test'] },
    ],
    // The attack test makes more failed guesses from one address than the default 10 allow.
    failureLimit: { max: 50, perSubject: 50, windowSeconds: 900 },
  });
});
afterEach(async () => {
  await c.destroy();
});

it('sets the signed HttpOnly cookie for an id whose secret the browser holds, with credentials CORS for the site’s origins', async () => {
  const browser = await consentedBrowser();
  const res = await ask({ anonymousId: browser.id, secret: browser.secret, maxAge: 3600 });
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ anonymousId: browser.id });
  expect(res.headers.get('access-control-allow-origin')).toBe(TEST_ORIGIN);
  expect(res.headers.get('access-control-allow-credentials')).toBe('true');
  const { name, value, attributes } = setCookie(res);
  expect(name).toBe(NAME); // host-only, Secure, Path=/: no other host of the site can plant one
  expect(attributes).toEqual(['Max-Age=3600', 'Path=/', 'HttpOnly', 'SameSite=Lax', 'Secure']);
  expect(value).not.toContain(browser.id); // signed, with the id encoded
  expect(value).not.toContain(browser.secret);
  expect(value.split('.')).toHaveLength(3);
  // Capped at the 400 days browsers keep a cookie.
  const long = await ask(
    { anonymousId: browser.id, secret: browser.secret, maxAge: 10 ** 9 },
    { origin: 'http://127.0.0.1:8080' },
  );
  expect(setCookie(long).attributes[0]).toBe(`Max-Age=${400 * 86400}`);

  // The ingest routes stay cookie-free: no credentials CORS there.
  const batch = await fetch(`${c.url}/v1/batch`, {
    method: 'POST',
    headers: { Origin: TEST_ORIGIN },
    body: JSON.stringify({ writeKey: TEST_WRITE_KEY, batch: [] }),
  });
  expect(batch.headers.get('access-control-allow-origin')).toBe(TEST_ORIGIN);
  expect(batch.headers.get('access-control-allow-credentials')).toBeNull();
});

it('answers only pages of a site that enabled it', async () => {
  const browser = await consentedBrowser();
  const body = { anonymousId: browser.id, secret: browser.secret, maxAge: 60 };
  for (const [res, status] of [
    [await ask(body, { origin: 'https://elsewhere.test' }), 403], // not the site's origin
    [await ask(body, { origin: null }), 403], // no Origin: not a page
    [await ask({ ...body, writeKey: OTHER_KEY }, { origin: 'https://other.test' }), 404], // the site did not enable it
  ] as const) {
    expect(res.status).toBe(status);
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
  }
  expect(await (await ask({ ...body, writeKey: OTHER_KEY }, { origin: 'https://other.test' })).json()).toMatchObject({
    reason: expect.stringContaining('serverCookie'),
  });
});

it('restores the id from the cookie and binds the browser’s new secret, which then reads the data', async () => {
  const browser = await consentedBrowser();
  const cookie = await cookieOf(browser);
  // Safari deleted localStorage: the SDK has a new secret and no id, the browser still sends the cookie.
  const secret = newSecret();
  const res = await ask({ secret }, { cookie: `tillit_consent=x; tillit_aid=${browser.id}; ${NAME}=${cookie}` });
  expect(await res.json()).toEqual({ anonymousId: browser.id });
  expect(res.headers.get('access-control-allow-credentials')).toBe('true');
  expect(res.headers.get('set-cookie')).toBeNull(); // the SDK asks for it again with the new decision's lifetime
  expect((await subject(browser.id, secret)).status).toBe(200);
  expect((await subject(browser.id, browser.secret)).status).toBe(200); // the first secret stays bound
  // The set that follows the decision, with the new secret.
  expect((await ask({ anonymousId: browser.id, secret, maxAge: 60 }, { cookie: `${NAME}=${cookie}` })).status).toBe(200);
  const [audit] = await c.sql.query<{ via: string }>("SELECT via FROM audit_log WHERE action = 'bind_secret'");
  expect(audit).toEqual({ via: 'cookie' });
});

it('binds nothing to a known id without the signed cookie: the attacker neither reads nor erases the victim’s data', async () => {
  const victim = await consentedBrowser();
  const signed = await cookieOf(victim);
  const attacker = await consentedBrowser();
  const attackerCookie = await cookieOf(attacker);
  const [, expires, mac] = signed.split('.');
  const b64 = (id: string) => Buffer.from(id).toString('base64url');
  const forged = [
    '', // no cookie
    `${NAME}=${victim.id}`, // the bare id, as the script-written domain cookie holds it
    `tillit_aid=${victim.id}`,
    `${NAME}=${b64(victim.id)}.${expires}.${'A'.repeat(43)}`, // shaped like a signed one
    `${NAME}=${b64(victim.id)}.${Number(expires) + 1}.${mac}`, // a signed one with a longer life
    `${NAME}=${b64(victim.id)}.${attackerCookie.split('.').slice(1).join('.')}`, // the attacker's own signature
  ];
  const secret = newSecret();
  for (const cookie of forged) {
    const restore = await ask({ secret }, { cookie });
    expect(await restore.json(), cookie).toEqual({ anonymousId: null });
    const set = await ask({ anonymousId: victim.id, secret, maxAge: 60 }, { cookie });
    expect(set.status, cookie).toBe(404);
    expect(setCookie(set).attributes, cookie).toContain('Max-Age=0');
  }
  // The attacker's own valid cookie restores the attacker's own id, never the victim's.
  expect(await (await ask({ secret }, { cookie: `${NAME}=${attackerCookie}` })).json()).toEqual({ anonymousId: attacker.id });
  expect((await ask({ anonymousId: victim.id, secret, maxAge: 60 }, { cookie: `${NAME}=${attackerCookie}` })).status).toBe(404);
  // Planted by another host of the site under the name a subdomain can set: not the site's cookie, not read.
  expect(await (await ask({ secret }, { cookie: `tillit_aid=${attackerCookie}` })).json()).toEqual({ anonymousId: null });
  expect((await subject(victim.id, secret)).status).toBe(404);
  expect((await subject(victim.id, secret, 'DELETE')).status).toBe(404);
  const victimData = await subject(victim.id, victim.secret);
  expect(victimData.status).toBe(200);
  expect(JSON.stringify(await victimData.json())).toContain('Storgatan 1');
  expect(await c.sql.count('SELECT count(*) AS n FROM subject_secrets WHERE anonymous_id = ?', victim.id)).toBe(0);
});

it('deletes the cookie when asked without a secret, and after erasure or withdrawal restores nothing', async () => {
  const deletion = await ask({});
  expect(await deletion.json()).toEqual({ anonymousId: null });
  expect(setCookie(deletion).attributes).toContain('Max-Age=0');

  const erased = await consentedBrowser();
  const erasedCookie = await cookieOf(erased);
  // A restore binds a secret (a subject_secrets row), which erasure deletes with the rest.
  const restored = newSecret();
  expect(await (await ask({ secret: restored }, { cookie: `${NAME}=${erasedCookie}` })).json()).toEqual({
    anonymousId: erased.id,
  });
  expect((await subject(erased.id, restored, 'DELETE')).status).toBe(200);
  expect(await c.sql.cellsContaining(erased.id)).toEqual([]);
  const afterErasure = await ask({ secret: newSecret() }, { cookie: `${NAME}=${erasedCookie}` });
  expect(await afterErasure.json()).toEqual({ anonymousId: null });
  expect(setCookie(afterErasure).attributes).toContain('Max-Age=0');
  expect(await c.sql.cellsContaining(erased.id)).toEqual([]);

  const withdrawn = await consentedBrowser();
  const withdrawnCookie = await cookieOf(withdrawn);
  const later = new Date(Date.now() + 1000).toISOString();
  const refusal = { ...consentBody(withdrawn), secret: undefined, purposes: { analytics: false }, timestamp: later };
  expect((await fetch(`${c.url}/v1/consent`, { method: 'POST', body: JSON.stringify(refusal) })).status).toBe(201);
  const afterWithdrawal = await ask({ secret: newSecret() }, { cookie: `${NAME}=${withdrawnCookie}` });
  expect(await afterWithdrawal.json()).toEqual({ anonymousId: null });
});

it('sets the cookie on the configured domain (no __Host- prefix there), reads it under that name, and deletes it there', async () => {
  await c.destroy();
  c = await startCollector({
    sites: [{ name: 'test', writeKey: TEST_WRITE_KEY, origins: [TEST_ORIGIN], serverCookie: { domain: 'shop.test' } }],
  });
  const browser = await consentedBrowser();
  const set = setCookie(await ask({ anonymousId: browser.id, secret: browser.secret, maxAge: 60 }));
  expect(set.name).toBe('tillit_aid');
  expect(set.attributes).toEqual(['Max-Age=60', 'Path=/v1/identity', 'Domain=shop.test', 'HttpOnly', 'SameSite=Lax', 'Secure']);
  expect(await (await ask({ secret: newSecret() }, { cookie: `tillit_aid=${set.value}` })).json()).toEqual({
    anonymousId: browser.id,
  });
  const deletion = setCookie(await ask({}));
  expect([deletion.name, ...deletion.attributes]).toEqual([
    'tillit_aid',
    'Max-Age=0',
    'Path=/v1/identity',
    'Domain=shop.test',
    'HttpOnly',
    'SameSite=Lax',
    'Secure',
  ]);
});
