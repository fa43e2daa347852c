/**
 * Tabs: one closed while its flush is in flight (the collector stored the batch, the tab never
 * saw the answer), and several tabs tracking at once over one shared IndexedDB queue.
 */
import type { Page } from '@playwright/test';
import { expect, test } from '../support/fixtures.js';
import { expectExactlyOnce, pageErrors, sdk, sdkPage, track } from './support.js';

test.describe.configure({ timeout: 45_000 });

test('a tab closed in the middle of a flush, the site opened again later: every event once', async ({
  context,
  site,
  collector,
}) => {
  const url = sdkPage(site, collector);
  const first = await context.newPage();
  await first.goto(url);
  await sdk(first, (t) => t.consent.acceptAll());
  let inFlight!: () => void;
  const flushing = new Promise<void>((resolve) => (inFlight = resolve));
  // The first batch reaches the collector, which stores it; its answer never reaches the tab.
  await first.route(`${collector.url}/v1/batch`, async (route) => {
    await route.fetch();
    inFlight();
    // No fulfil: the tab is closed while waiting for this answer.
  });
  // Tracked in one task: 30 make a full batch, and the flush that starts then sends all 40 queued
  // in one request (batches grow to the collector's limits when more wait).
  await track(first, 'Closed', 40);
  await flushing;
  expect(await collector.count("SELECT count(*) AS n FROM events WHERE event = 'Closed'")).toBe(40);
  await first.close();

  // Later, the visitor comes back: the queue in IndexedDB still holds all 40, unacknowledged.
  const again = await context.newPage();
  const errors = pageErrors(again);
  await again.goto(url);
  await expectExactlyOnce(collector, 'Closed', [{ tab: 'a', count: 40 }]);
  expect(errors).toEqual([]);
});

for (const tabs of [2, 4]) {
  test(`${tabs} tabs tracking at once: every event once`, async ({ context, site, collector }) => {
    const url = sdkPage(site, collector);
    const pages: Page[] = [];
    const errors: string[][] = [];
    for (let i = 0; i < tabs; i++) {
      const page = await context.newPage();
      errors.push(pageErrors(page));
      await page.goto(url);
      pages.push(page);
    }
    await sdk(pages[0]!, (t) => t.consent.acceptAll());
    // The other tabs learn of the decision from the storage event.
    for (const page of pages) await expect.poll(() => sdk(page, (t) => t.consent.isGranted('analytics'))).toBe(true);
    const labels = pages.map((_, i) => String.fromCharCode(97 + i));
    // Three rounds of 25 per tab, all tabs at once, so flushes of different tabs overlap.
    for (let round = 0; round < 3; round++) {
      await Promise.all(pages.map((page, i) => track(page, 'Tabs', 25, { from: round * 25, tab: labels[i] })));
      await pages[0]!.waitForTimeout(300);
    }
    await expectExactlyOnce(
      collector,
      'Tabs',
      labels.map((tab) => ({ tab, count: 75 })),
    );
    expect(errors.flat()).toEqual([]);
  });
}

test('a burst of 600 events in one task: every event once, the queue drains', async ({ page, site, collector }) => {
  const errors = pageErrors(page);
  await page.goto(sdkPage(site, collector));
  await sdk(page, (t) => t.consent.acceptAll());
  // One task: the first full batch flushes while IndexedDB writes of the rest are still pending.
  await track(page, 'Burst', 600);
  await expectExactlyOnce(collector, 'Burst', [{ tab: 'a', count: 600 }], { timeout: 25_000 });
  expect(errors).toEqual([]);
});

test('a burst of 10,000 events over 200 tasks, with the default bounds: every event once', async ({ page, site, collector }) => {
  test.setTimeout(120_000);
  const errors = pageErrors(page);
  await page.goto(sdkPage(site, collector));
  await sdk(page, (t) => t.consent.acceptAll());
  // 200 tasks of 50 calls, back to back in the page, as a busy app would track (bench/browser.mjs's
  // scenario): tracking outruns delivery, and the queue holds what waits.
  await page.evaluate(async () => {
    const t = (window as unknown as { tillit: { track(name: string, p: object): void } }).tillit;
    for (let task = 0; task < 200; task++) {
      for (let i = 0; i < 50; i++) t.track('Flood', { n: task * 50 + i, tab: 'a' });
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  });
  await expectExactlyOnce(collector, 'Flood', [{ tab: 'a', count: 10_000 }], { timeout: 90_000 });
  const queued = () =>
    page.evaluate(
      () =>
        new Promise<number>((resolve) => {
          const open = indexedDB.open('tillit');
          open.onsuccess = () => {
            const db = open.result;
            if (!db.objectStoreNames.contains('queue')) return resolve(0);
            const req = db.transaction('queue').objectStore('queue').count();
            req.onsuccess = () => resolve(req.result);
            db.close();
          };
          open.onerror = () => resolve(-1);
        }),
    );
  await expect.poll(queued, { message: 'IndexedDB queue drained' }).toBe(0);
  expect(errors).toEqual([]);
});
