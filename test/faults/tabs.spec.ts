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
  await track(first, 'Closed', 40); // 30 go at once (a full batch), 10 wait for the interval
  await flushing;
  expect(collector.count("SELECT count(*) AS n FROM events WHERE event = 'Closed'")).toBe(30);
  await first.close();

  // Later, the visitor comes back: the queue in IndexedDB still holds all 40, unacknowledged.
  const again = await context.newPage();
  const errors = pageErrors(again);
  await again.goto(url);
  await expectExactlyOnce(collector.rows, 'Closed', [{ tab: 'a', count: 40 }]);
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
      collector.rows,
      'Tabs',
      labels.map((tab) => ({ tab, count: 75 })),
    );
    expect(errors.flat()).toEqual([]);
  });
}
