/**
 * The anonymous id across the site's subdomains (data-cookie-domain), in real Chromium against the real
 * collector: a.shop.test and b.shop.test (both resolve to 127.0.0.1, playwright.config.ts) share the id
 * through the first-party cookie `tillit_aid` on shop.test, written only after consent, never holding
 * the subject secret, and deleted on withdrawal and on erasure.
 */
import type { Page } from '@playwright/test';
import { storedEvents } from '@tillit/collector/testing';
import { expect, test, tillitPage } from '../support/fixtures.js';

const sdk = <R>(page: Page, fn: string) => page.evaluate(`(async (t) => ${fn})(window.tillit)`) as Promise<R>;
const cookies = async (page: Page) => Object.fromEntries((await page.context().cookies()).map((c) => [c.name, c]));

test('two subdomains share the anonymous id through the domain cookie, only after consent; withdrawal and erasure delete it', async ({
  page,
  site,
  collector,
}) => {
  const attributes = { 'auto-page': 'off', 'cookie-domain': 'shop.test', 'consent-cookie': 'on' };
  site.setPage('/', tillitPage({ collector, banner: false, attributes }));

  await page.goto(site.url('/', 'a.shop.test'));
  await sdk(page, "t.track('Held')");
  expect(await page.context().cookies()).toEqual([]); // nothing before the decision
  await sdk(page, 't.consent.acceptAll()');
  const id = await sdk<string>(page, 't.anonymousId()');
  await expect.poll(async () => (await cookies(page)).tillit_aid?.value).toBe(id);
  const cookie = (await cookies(page)).tillit_aid!;
  expect(cookie).toMatchObject({ domain: '.shop.test', path: '/', sameSite: 'Lax', httpOnly: false });
  // As long as the decision lives (182 days by default), not longer.
  expect(cookie.expires * 1000 - Date.now()).toBeLessThanOrEqual(182 * 864e5);
  expect(cookie.expires * 1000 - Date.now()).toBeGreaterThan(181 * 864e5);
  const secret = await page.evaluate(() => JSON.parse(localStorage.tillit_id).secret);
  for (const c of await page.context().cookies()) expect(c.value).not.toContain(secret);

  await page.goto(site.url('/', 'b.shop.test')); // its own localStorage; the decision and id from the cookies
  const onB = await page.evaluate(() => [Object.keys(localStorage), JSON.parse(localStorage.tillit_id)]);
  expect(onB[0]).toEqual(['tillit_id']); // adopted at start (the decision cookie grants), with b's own secret
  expect(onB[1]).toMatchObject({ id });
  expect(onB[1].secret).not.toBe(secret);
  await sdk(page, "t.track('On B')");
  await expect
    .poll(async () => (await storedEvents(collector.running.sql)).map((e) => [e.event, e.anonymousId]))
    .toEqual([
      ['Held', id],
      ['On B', id],
    ]);
  expect(await sdk(page, 't.anonymousId()')).toBe(id);

  await sdk(page, 't.consent.rejectAll()'); // withdrawal on b deletes the domain cookie
  await expect.poll(async () => (await cookies(page)).tillit_aid).toBeUndefined();

  await page.goto(site.url('/', 'a.shop.test'));
  await sdk(page, 't.consent.acceptAll()'); // a's own decision, and a new cookie
  await expect.poll(async () => (await cookies(page)).tillit_aid?.value).toBe(id);
  await sdk(page, 't.privacy.erase()'); // a made the id, so a's secret is the one the collector holds
  await expect.poll(async () => Object.keys(await cookies(page))).toEqual([]);
});
