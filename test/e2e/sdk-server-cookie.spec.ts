/**
 * The collector's identity cookie (issue 12; SDK `data-server-cookie`, collector site `serverCookie`), in
 * real Chromium against the real collector: the site (http://127.0.0.1:a) and the collector
 * (http://127.0.0.1:b) are one site for cookies, as shop.example and collect.shop.example are. Safari deletes
 * what scripts stored after 7 days without a visit; the HttpOnly cookie the collector set stays, and gives
 * the visitor their anonymous id back at their next decision, with a new subject secret that the collector
 * binds because the signed cookie proves the browser held the id. Nobody else can: a forged cookie, or none,
 * binds nothing to another visitor's id.
 */
import type { BrowserContext, Page } from '@playwright/test';
import { storedEvents } from '@tillit/collector/testing';
import { expect, type TestCollector, type TestSite, test, tillitPage, WRITE_KEY } from '../support/fixtures.js';

const sdk = <R>(page: Page, fn: string) => page.evaluate(`(async (t) => ${fn})(window.tillit)`) as Promise<R>;
const NAME = '__Host-tillit_aid';
const identityCookie = async (context: BrowserContext) => (await context.cookies()).find((c) => c.name === NAME);
const storedIdentity = (page: Page) =>
  page.evaluate(() => JSON.parse(localStorage.getItem('tillit_id') ?? 'null') as { id: string; secret: string } | null);
const stored = async (collector: TestCollector) =>
  (await storedEvents(collector.running.sql)).map((e) => [e.event, e.anonymousId]);

/** A data-subject request as the portal or any client makes it, with a secret as its credential. */
const subjectStatus = async (collector: TestCollector, id: string, secret: string, method = 'GET') =>
  (await fetch(`${collector.url}/v1/subjects/${id}`, { method, headers: { Authorization: `Bearer ${secret}` } })).status;

/** What Safari deletes after 7 days without a visit: everything the site's scripts stored, not the HttpOnly cookie. */
async function deleteScriptStorage(page: Page, site: TestSite) {
  await page.goto(site.url('/blank')); // no SDK here, so nothing holds the queue's database open
  await page.evaluate(async () => {
    localStorage.clear();
    sessionStorage.clear();
    await new Promise((resolve) => {
      const request = indexedDB.deleteDatabase('tillit');
      request.onsuccess = request.onerror = request.onblocked = resolve;
    });
  });
  const context = page.context();
  const httpOnly = (await context.cookies()).filter((c) => c.httpOnly);
  await context.clearCookies();
  await context.addCookies(httpOnly);
}

const SDK_ATTRIBUTES = { 'auto-page': 'off', 'server-cookie': 'on', 'consent-cookie': 'on' };

test.describe('with the identity cookie enabled for the site', () => {
  test.use({ siteConfig: { serverCookie: true } });

  test.beforeEach(({ site, collector }) => {
    site.setPage('/', tillitPage({ collector, banner: false, attributes: SDK_ATTRIBUTES }));
    site.setPage('/blank', '<!doctype html><title>blank</title>');
  });

  test('after consent only; it brings the id back after the script storage is deleted, and the new secret reaches the data', async ({
    page,
    site,
    collector,
  }) => {
    await page.goto(site.url('/'));
    await sdk(page, "t.track('Before consent')");
    await sdk(page, 't.flush()');
    expect(await page.context().cookies()).toEqual([]); // nothing before the decision
    await sdk(page, 't.consent.acceptAll()');
    const id = await sdk<string>(page, 't.anonymousId()');
    const first = (await storedIdentity(page))!;
    await expect.poll(() => identityCookie(page.context())).toBeDefined();
    const cookie = (await identityCookie(page.context()))!;
    // Host-only on the collector's host (__Host-: no other host of the site can plant one), signed (not the
    // bare id); Chromium keeps a Secure cookie from plain-http 127.0.0.1 as it does from https.
    expect(cookie).toMatchObject({ domain: '127.0.0.1', path: '/', httpOnly: true, sameSite: 'Lax', secure: true });
    expect(cookie.value).not.toBe(id);
    expect(cookie.value).not.toContain(first.secret);
    // As long as the decision lives (182 days by default), not longer.
    expect(cookie.expires * 1000 - Date.now()).toBeLessThanOrEqual(182 * 864e5);
    expect(cookie.expires * 1000 - Date.now()).toBeGreaterThan(181 * 864e5);

    await deleteScriptStorage(page, site);
    const asked: Record<string, unknown>[] = [];
    page.on('request', (r) => r.url().endsWith('/v1/identity') && asked.push(JSON.parse(r.postData()!)));
    await page.goto(site.url('/'));
    expect(await sdk(page, 't.consent.needsDecision()')).toBe(true);
    expect(await sdk(page, 't.anonymousId()')).toBeNull();
    // Held while undecided, and while the decision waits for the collector: never sent under a new id.
    await sdk(page, "(t.track('Held after the wipe'), t.consent.acceptAll(), t.track('During the decision'))");
    await expect.poll(() => sdk(page, 't.anonymousId()')).toBe(id);
    await sdk(page, 't.flush()');
    await expect
      .poll(() => stored(collector))
      .toEqual([
        ['Before consent', id],
        ['Held after the wipe', id],
        ['During the decision', id],
      ]);
    expect(await collector.count('SELECT count(*) AS n FROM consent_records WHERE anonymous_id = ?', id)).toBe(2);

    // The browser's new secret is bound to the id: the visitor's own data-subject requests work again.
    const second = (await storedIdentity(page))!;
    expect(second.id).toBe(id);
    expect(second.secret).not.toBe(first.secret);
    expect(await subjectStatus(collector, id, second.secret)).toBe(200);
    const access = await sdk<{ data: { events: { event: string }[] } }>(page, 't.privacy.access()');
    expect(access.data.events.map((e) => e.event)).toEqual(['Before consent', 'Held after the wipe', 'During the decision']);
    const portalUrl = await sdk<string>(page, 't.privacy.portalUrl()');
    expect(portalUrl).toMatch(/\/privacy#token=/);
    // The restore, then the cookie asked for again with this decision's lifetime and the new secret.
    await expect.poll(() => asked.length).toBe(2);
    expect(asked).toEqual([
      { writeKey: WRITE_KEY, secret: second.secret },
      { writeKey: WRITE_KEY, anonymousId: id, secret: second.secret, maxAge: expect.any(Number) },
    ]);
    expect(await identityCookie(page.context())).toBeDefined();
  });

  test('a forged or planted cookie, or none, binds no secret to another visitor’s id: the attacker reads and erases nothing', async ({
    page,
    browser,
    site,
    collector,
  }) => {
    await page.goto(site.url('/'));
    await sdk(page, 't.consent.acceptAll()');
    await sdk(page, "(t.track('Order Completed', { address: 'Storgatan 1' }), t.flush())");
    const victim = (await storedIdentity(page))!;
    await expect.poll(() => identityCookie(page.context())).toBeDefined();
    const [, expires] = (await identityCookie(page.context()))!.value.split('.');

    /** A browser of the attacker's, with `planted` cookies, that consents; its identity. */
    const attackerBrowser = async (planted: { name: string; value: string; path: string; secure?: boolean }[]) => {
      const context = await browser.newContext();
      await context.addCookies(planted.map((c) => ({ ...c, domain: '127.0.0.1' })));
      const attacker = await context.newPage();
      await attacker.goto(site.url('/'));
      await sdk(attacker, 't.consent.acceptAll()');
      await expect.poll(() => identityCookie(context)).toBeDefined();
      const identity = (await storedIdentity(attacker))!;
      const cookie = (await identityCookie(context))!.value;
      await context.close();
      return { ...identity, cookie };
    };
    // The attacker read the victim's anonymous id (it is in every event) and forges the cookie with it, bare
    // or shaped like a signed one.
    const b64 = Buffer.from(victim.id).toString('base64url');
    const forged = [victim.id, `${b64}.${expires}.${'A'.repeat(43)}`];
    const attackers = [];
    for (const value of forged) attackers.push(await attackerBrowser([{ name: NAME, value, path: '/', secure: true }]));
    // Or plants their own signed cookie in a new visitor's browser, as another host of the site could (only
    // under a name without __Host-), for the visitor to adopt the attacker's id and send their events under it.
    const planted = await attackerBrowser([{ name: 'tillit_aid', value: attackers[0]!.cookie, path: '/v1/identity' }]);
    for (const attacker of [...attackers, planted]) {
      expect(attacker.id).not.toBe(victim.id);
      expect(await subjectStatus(collector, victim.id, attacker.secret)).toBe(404);
    }
    expect(planted.id).not.toBe(attackers[0]!.id);
    // Asking the collector directly, as a script can, with the site's origin and the victim's id.
    const attackerSecret = 'f'.repeat(64);
    const ask = (body: object, cookie?: string) =>
      fetch(`${collector.url}/v1/identity`, {
        method: 'POST',
        headers: { Origin: site.origin, ...(cookie ? { Cookie: `${NAME}=${cookie}` } : {}) },
        body: JSON.stringify({ writeKey: WRITE_KEY, ...body }),
      });
    for (const cookie of [undefined, ...forged]) {
      expect((await (await ask({ secret: attackerSecret }, cookie)).json()).anonymousId).toBeNull();
      expect((await ask({ anonymousId: victim.id, secret: attackerSecret, maxAge: 60 }, cookie)).status).toBe(404);
    }
    expect(await subjectStatus(collector, victim.id, attackerSecret)).toBe(404);
    expect(await subjectStatus(collector, victim.id, attackerSecret, 'DELETE')).toBe(404);
    expect((await stored(collector)).filter(([, id]) => id === victim.id)).toEqual([['Order Completed', victim.id]]);
    expect(await subjectStatus(collector, victim.id, victim.secret)).toBe(200);
  });

  test('withdrawal and erasure delete the cookie; an erased id is never restored', async ({ page, site, collector }) => {
    await page.goto(site.url('/'));
    await sdk(page, 't.consent.acceptAll()');
    await expect.poll(() => identityCookie(page.context())).toBeDefined();
    await sdk(page, 't.consent.rejectAll()');
    await expect.poll(() => identityCookie(page.context())).toBeUndefined();

    await sdk(page, 't.consent.acceptAll()');
    const id = await sdk<string>(page, 't.anonymousId()');
    await expect.poll(() => identityCookie(page.context())).toBeDefined();
    const kept = (await identityCookie(page.context()))!;
    await sdk(page, 't.privacy.erase()');
    await expect.poll(() => identityCookie(page.context())).toBeUndefined();
    expect(await collector.cellsContaining(id)).toEqual([]);

    // A copy of the cookie from before the erasure (say, a deletion that never arrived) brings nothing back.
    await page.context().addCookies([kept]);
    await deleteScriptStorage(page, site);
    await page.goto(site.url('/'));
    await sdk(page, 't.consent.acceptAll()');
    expect(await sdk(page, 't.anonymousId()')).not.toBe(id);
    expect(await collector.cellsContaining(id)).toEqual([]);
  });
});

test('without the site’s serverCookie the collector sets no cookie; without data-server-cookie the SDK never asks', async ({
  page,
  site,
  collector,
}) => {
  const asked: string[] = [];
  page.on('request', (r) => r.url().endsWith('/v1/identity') && asked.push(r.url()));
  site.setPage('/on', tillitPage({ collector, banner: false, attributes: SDK_ATTRIBUTES }));
  site.setPage('/off', tillitPage({ collector, banner: false, attributes: { 'auto-page': 'off' } }));
  await page.goto(site.url('/off'));
  await sdk(page, 't.consent.acceptAll()');
  await sdk(page, 't.consent.rejectAll()');
  expect(asked).toEqual([]);
  await page.goto(site.url('/on'));
  await sdk(page, 't.consent.acceptAll()');
  await expect.poll(() => asked.length).toBeGreaterThan(0);
  expect(await identityCookie(page.context())).toBeUndefined();
});

test.describe('credentials on the identity route only, for the site’s own origins', () => {
  test.use({ siteConfig: { serverCookie: true } });

  test('a page of the site reads the identity route with credentials, but not the ingest route; another origin reads neither', async ({
    page,
    site,
    collector,
  }) => {
    site.setPage('/plain', '<!doctype html><title>plain</title>');
    const attempt = (path: string, body: object) =>
      page.evaluate(
        async ([url, text]) => {
          try {
            return (await fetch(url!, { method: 'POST', body: text, credentials: 'include' })).status;
          } catch {
            return 'blocked';
          }
        },
        [`${collector.url}${path}`, JSON.stringify({ writeKey: WRITE_KEY, ...body })],
      );
    await page.goto(site.url('/plain'));
    expect(await attempt('/v1/identity', {})).toBe(200);
    expect(await attempt('/v1/batch', { batch: [] })).toBe('blocked');
    await page.goto(site.url('/plain', 'elsewhere.test')); // not one of the site's origins
    expect(await attempt('/v1/identity', {})).toBe('blocked');
  });
});
