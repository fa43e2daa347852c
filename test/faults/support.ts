/** Helpers shared by the fault-injection specs: drive the SDK in a page, and prove exactly-once delivery by counting rows. */
import type { Page } from '@playwright/test';
import type { Tillit } from '@tillit/sdk';
import { expect, type TestCollector, type TestSite, tillitPage } from '../support/fixtures.js';

/** Runs fn in the page with the page's `window.tillit`. */
export const sdk = <R>(page: Page, fn: (t: Tillit) => R) => page.evaluate(`(${fn})(window.tillit)`) as Promise<Awaited<R>>;

/** A page with the SDK by script tag, no banner and no automatic page view, so that only tracked events count. */
export function sdkPage(site: TestSite, collector: { url: string }, path = '/') {
  site.setPage(path, tillitPage({ collector, banner: false, attributes: { 'auto-page': 'off' } }));
  return site.url(path);
}

/** Tracks `count` events named `name`, numbered from `from`, each with the tab's label. */
export function track(page: Page, name: string, count: number, { from = 0, tab = 'a' } = {}) {
  return page.evaluate(
    ({ name, count, from, tab }) => {
      for (let n = from; n < from + count; n++) (window as unknown as { tillit: Tillit }).tillit.track(name, { n, tab });
    },
    { name, count, from, tab },
  );
}

/** Rows per (tab, n) of the events named `name`: the collector's own record of what arrived. */
/** What the row checks read: a collector's database (or a SQLite file read directly). */
export type EventRows = Pick<TestCollector, 'rows' | 'json'>;

export function delivered(collector: EventRows, name: string) {
  const { json } = collector;
  return collector.rows<{ tab: string; n: number; copies: number }>(
    `SELECT ${json('properties.tab')} AS tab, ${json('properties.n')} AS n, count(*) AS copies
     FROM events WHERE event = ? GROUP BY tab, n ORDER BY tab, n`,
    name,
  );
}

/**
 * Waits until every expected event is stored, then a while longer (a duplicate from a late
 * retry would arrive in that time), and checks each is there exactly once and nothing else is.
 */
export async function expectExactlyOnce(
  collector: EventRows,
  name: string,
  expected: { tab: string; count: number; from?: number }[],
  { timeout = 20_000, settleMs = 2500 } = {},
) {
  const want = expected
    .flatMap(({ tab, count, from = 0 }) => Array.from({ length: count }, (_, i) => ({ tab, n: from + i, copies: 1 })))
    .sort((a, b) => (a.tab === b.tab ? a.n - b.n : a.tab < b.tab ? -1 : 1));
  const total = async () => (await delivered(collector, name)).reduce((sum, r) => sum + r.copies, 0);
  await expect
    .poll(total, { timeout, message: `all ${want.length} "${name}" events stored` })
    .toBeGreaterThanOrEqual(want.length);
  await new Promise((resolve) => setTimeout(resolve, settleMs));
  expect(await delivered(collector, name)).toEqual(want);
}

/** Page errors (uncaught exceptions and rejections) collected from the moment this is called. */
export function pageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  return errors;
}
