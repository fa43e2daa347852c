/**
 * The SDK in hostile browsers, in real Chromium against the real collector: IndexedDB that hangs
 * (Safari's fault) or throws (private modes), and Global Privacy Control.
 */
import type { Page } from '@playwright/test';
import type { Tillit } from '@tillit/sdk';
import { expect, type TestCollector, test, tillitPage } from '../support/fixtures.js';

/** Runs fn in the page with the page's `window.tillit`. */
const sdk = <R>(page: Page, fn: (t: Tillit) => R) => page.evaluate(`(${fn})(window.tillit)`) as Promise<Awaited<R>>;
const count = (collector: TestCollector, sql: string) => () => collector.count(sql);

for (const [fault, init] of [
  ['hangs on open', 'IDBFactory.prototype.open = function () { return {}; };'],
  ['throws', "IDBFactory.prototype.open = function () { throw new DOMException('denied', 'InvalidStateError'); };"],
] as const) {
  test(`IndexedDB that ${fault}: the queue falls back to memory, says so, and delivers`, async ({ page, site, collector }) => {
    await page.addInitScript(init);
    site.setPage('/', tillitPage({ collector, banner: false, attributes: { debug: 'true', 'auto-page': 'off' } }));
    const logs: string[] = [];
    page.on('console', (m) => logs.push(m.text()));
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(site.url('/'));
    await sdk(page, (t) => t.consent.acceptAll());
    await sdk(page, (t) => t.track('Memory Queued'));
    await expect
      .poll(count(collector, "SELECT count(*) AS n FROM events WHERE event = 'Memory Queued'"), { timeout: 10_000 })
      .toBe(1);
    expect(logs.some((l) => l.startsWith('[tillit] IndexedDB unavailable, queue in memory'))).toBe(true);
    expect(errors).toEqual([]);
  });
}

test('Global Privacy Control: the GPC refusal is recorded, the rest is still asked, an explicit choice wins', async ({
  page,
  site,
  collector,
}) => {
  await page.addInitScript("Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true });");
  site.setPage('/', tillitPage({ collector, banner: false }));
  await page.goto(site.url('/'));
  await expect.poll(count(collector, "SELECT count(*) AS n FROM consent_records WHERE source = 'gpc'")).toBe(1);
  expect(await sdk(page, (t) => [t.consent.needsDecision(), t.consent.isGranted('marketing'), t.anonymousId()])).toEqual([
    true,
    false,
    null,
  ]);
  expect(await page.evaluate(() => (indexedDB.databases ? indexedDB.databases() : []))).toEqual([]);

  await sdk(page, (t) => t.consent.acceptAll({ source: 'banner' }));
  expect(await sdk(page, (t) => [t.consent.isGranted('analytics'), t.consent.isGranted('marketing')])).toEqual([true, false]);
  await sdk(page, (t) => t.consent.set({ analytics: true, marketing: true }, { source: 'banner' }));
  expect(await sdk(page, (t) => t.consent.isGranted('marketing'))).toBe(true);
  await expect.poll(count(collector, 'SELECT count(*) AS n FROM consent_records')).toBe(3);
  // In the order decided: two records sent a moment apart may reach the collector in either order.
  const purposes = (await collector.rows<{ purposes: string }>('SELECT purposes FROM consent_records ORDER BY decided_at')).map(
    (r) => JSON.parse(r.purposes),
  );
  expect(purposes.map((p) => p.marketing)).toEqual([false, false, true]);
});
