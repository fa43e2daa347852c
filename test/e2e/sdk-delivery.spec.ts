/**
 * Issue 3's delivery promises in real Chromium against the real collector: events survive a
 * reload, two tabs store each event exactly once, plain-http pages work, the snippet's stub is
 * replayed.
 */
import type { Page } from '@playwright/test';
import type { Tillit } from '@tillit/sdk';
import { expect, type TestCollector, test, tillitPage } from '../support/fixtures.js';

type Sdk = Tillit & { showPreferences(): void };
/** Runs fn in the page with the page's `window.tillit`. */
const sdk = <R>(page: Page, fn: (t: Sdk) => R) => page.evaluate(`(${fn})(window.tillit)`) as Promise<Awaited<R>>;
const count =
  (collector: TestCollector, sql: string, ...params: unknown[]) =>
  () =>
    collector.count(sql, ...params);
const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test('events tracked before a reload arrive after it, once', async ({ page, site, collector }) => {
  site.setPage('/', tillitPage({ collector, banner: false, attributes: { 'auto-page': 'off' } }));
  await page.goto(site.url('/'));
  await sdk(page, (t) => t.consent.acceptAll());
  await expect.poll(count(collector, 'SELECT count(*) AS n FROM consent_records')).toBe(1);
  await collector.stop(); // neither the flush nor the unload beacon can deliver
  // Tracked while a flush reads the queue, as happens when this page's first flush (2 s after the
  // decision) meets these calls on a busy machine. A read once dropped such events from the page's
  // memory, so neither the unload request nor the copy made at unload (of what is not written yet) had them.
  await page.evaluate(async () => {
    const t = (window as unknown as { tillit: Sdk }).tillit;
    const flushing = t.flush();
    await new Promise((resolve) => setTimeout(resolve));
    t.track('Added To Cart', { sku: 'A1' });
    t.track('Checkout Started');
    await flushing;
  });
  // What the unload sends (the same as pagehide does on reload) has both.
  const unloadSent: string[][] = [];
  await page.route(`${collector.url}/v1/batch`, (route) => {
    unloadSent.push(JSON.parse(route.request().postData() ?? '{}').batch.map((e: { event: string }) => e.event));
    return route.abort();
  });
  await page.evaluate(() => dispatchEvent(new Event('pagehide')));
  await expect.poll(() => unloadSent[0]).toEqual(['Added To Cart', 'Checkout Started']);
  await page.unrouteAll();
  await page.reload();
  await collector.restart();
  await expect.poll(count(collector, "SELECT count(*) AS n FROM events WHERE type = 'track'"), { timeout: 15_000 }).toBe(2);
  await page.waitForTimeout(2500);
  expect((await collector.rows(`SELECT event FROM events ORDER BY ${collector.arrival}`)).map((r) => r.event)).toEqual([
    'Added To Cart',
    'Checkout Started',
  ]);
});

test('an event tracked just before leaving the page is sent by the unload beacon', async ({ page, site, collector }) => {
  site.setPage('/', tillitPage({ collector, banner: false, attributes: { 'auto-page': 'off' } }));
  site.setPage('/elsewhere', '<!doctype html><title>elsewhere</title>');
  await page.goto(site.url('/'));
  await sdk(page, (t) => t.consent.acceptAll());
  await sdk(page, (t) => t.track('Leaving'));
  await page.goto(site.url('/elsewhere')); // before the flush interval: only pagehide can send it
  await expect.poll(count(collector, "SELECT count(*) AS n FROM events WHERE event = 'Leaving'")).toBe(1);
});

test('two tabs tracking at the same time: the collector stores each event exactly once', async ({ context, site, collector }) => {
  site.setPage('/', tillitPage({ collector, banner: false, attributes: { 'auto-page': 'off' } }));
  const a = await context.newPage();
  const b = await context.newPage();
  await a.goto(site.url('/'));
  await b.goto(site.url('/'));
  await sdk(a, (t) => t.consent.acceptAll());
  // The other tab learns of the decision from the storage event, without a reload.
  await expect.poll(() => sdk(b, (t) => t.consent.isGranted('analytics'))).toBe(true);
  expect(await sdk(b, (t) => t.anonymousId())).toBe(await sdk(a, (t) => t.anonymousId()));

  const burst = (tab: Page, name: string) =>
    tab.evaluate(`for (let i = 0; i < 60; i++) window.tillit.track('Burst', { tab: '${name}', i })`);
  await Promise.all([burst(a, 'a'), burst(b, 'b')]);
  await expect.poll(count(collector, "SELECT count(*) AS n FROM events WHERE event = 'Burst'"), { timeout: 15_000 }).toBe(120);
  await a.waitForTimeout(3000); // any duplicate delivery would have arrived by now
  const perTab = await collector.rows<{ tab: string; n: number; distinct_i: number }>(
    `SELECT ${collector.json('properties.tab')} AS tab, count(*) AS n,
            count(DISTINCT ${collector.json('properties.i')}) AS distinct_i
     FROM events WHERE event = 'Burst' GROUP BY tab ORDER BY tab`,
  );
  expect(perTab).toEqual([
    { tab: 'a', n: 60, distinct_i: 60 },
    { tab: 'b', n: 60, distinct_i: 60 },
  ]);
});

test('a plain-http page without crypto.randomUUID and Web Locks works', async ({ page, site, collector }) => {
  site.setPage('/', tillitPage({ collector, banner: false }));
  await page.goto(site.url('/', 'shop.test'));
  expect(await page.evaluate(() => [isSecureContext, typeof crypto.randomUUID, typeof navigator.locks])).toEqual([
    false,
    'undefined',
    'undefined',
  ]);
  await sdk(page, (t) => t.consent.acceptAll());
  const id = await sdk(page, (t) => t.anonymousId());
  expect(id).toMatch(V7);
  await sdk(page, (t) => t.track('Order Completed', { value: 42.5, currency: 'EUR' }));
  await expect.poll(count(collector, 'SELECT count(*) AS n FROM events WHERE anonymous_id = ?', id)).toBe(2); // page view + order
  expect(await collector.count('SELECT count(*) AS n FROM subjects WHERE anonymous_id = ?', id)).toBe(1);
});

test('calls queued on the snippet stub before the bundle loaded are replayed', async ({ page, site, collector }) => {
  const stub = `<script>
window.tillit = window.tillit || [];
['track','page','identify','reset','showPreferences'].forEach(function (m) {
  window.tillit[m] = window.tillit[m] || function () { window.tillit.push([m].concat([].slice.call(arguments))); };
});
window.tillit.consent = window.tillit.consent || {};
['set','acceptAll','rejectAll'].forEach(function (m) {
  window.tillit.consent[m] = function () { window.tillit.push(['consent.' + m].concat([].slice.call(arguments))); };
});
window.tillit.track('Queued Early', { n: 1 });
window.tillit.consent.acceptAll({ source: 'banner' });
</script>`;
  site.setPage('/', tillitPage({ collector, banner: false, head: stub, attributes: { 'auto-page': 'off' } }));
  await page.goto(site.url('/'));
  await expect.poll(count(collector, "SELECT count(*) AS n FROM events WHERE event = 'Queued Early'")).toBe(1);
  expect(await collector.rows('SELECT source FROM consent_records')).toEqual([{ source: 'banner' }]);
});

test('back online after a collector outage, the queue drains', async ({ page, context, site, collector }) => {
  site.setPage('/', tillitPage({ collector, banner: false, attributes: { 'auto-page': 'off' } }));
  await page.goto(site.url('/'));
  await sdk(page, (t) => t.consent.acceptAll());
  await expect.poll(count(collector, 'SELECT count(*) AS n FROM consent_records')).toBe(1);
  await context.setOffline(true);
  await sdk(page, (t) => t.track('Offline Purchase', { value: 10 }));
  await page.waitForTimeout(2500); // a flush fails and backs off
  expect(await collector.count('SELECT count(*) AS n FROM events')).toBe(0);
  await context.setOffline(false); // 'online' fires: flush now, backoff reset
  await expect.poll(count(collector, "SELECT count(*) AS n FROM events WHERE event = 'Offline Purchase'")).toBe(1);
});

test('a consent record whose answer is lost to a reload is resent by the next page and stored once', async ({
  page,
  site,
  collector,
}) => {
  site.setPage('/', tillitPage({ collector, banner: false, attributes: { 'auto-page': 'off' } }));
  const sent: { recordId: string; purposes: unknown }[] = [];
  let delayed = false;
  await page.route('**/v1/consent', async (route) => {
    sent.push(route.request().postDataJSON());
    if (delayed) return route.continue();
    delayed = true;
    // The collector stores the record, but its answer reaches the page only after the reload.
    const response = await route.fetch();
    await new Promise((resolve) => setTimeout(resolve, 3000));
    await route.fulfill({ response }).catch(() => {}); // the page that asked is gone
  });
  await page.goto(site.url('/'));
  await sdk(page, (t) => void t.consent.acceptAll());
  await expect.poll(count(collector, 'SELECT count(*) AS n FROM consent_records')).toBe(1);
  expect(await sdk(page, (t) => t.consent.get()?.receiptId)).toBeUndefined();
  await page.reload();
  // The next page resends the pending record under the same id and keeps the first receipt.
  await expect.poll(() => sdk(page, (t) => t.consent.get()?.receiptId)).toBeTruthy();
  expect(sent).toHaveLength(2);
  expect(sent[1]!.recordId).toMatch(V7);
  expect(sent[1]!.recordId).toBe(sent[0]!.recordId);
  const rows = await collector.rows<{ receipt_id: string; record_id: string }>(
    'SELECT receipt_id, record_id FROM consent_records',
  );
  expect(rows).toEqual([{ receipt_id: await sdk(page, (t) => t.consent.get()?.receiptId), record_id: sent[0]!.recordId }]);
});
