/**
 * Issue 15, item 2 in real Chromium: a link with a very long URL must not freeze the page. The built
 * dist/tillit.js by its script tag, against the real collector. Costs are compared with a yardstick
 * measured in the same page (parsing the same URL), never with wall-clock thresholds.
 */
import type { Page } from '@playwright/test';
import type { Tillit } from '@tillit/sdk';
import { expect, test, tillitPage } from '../support/fixtures.js';

const LONG_PATH = `/p/${'a'.repeat(100_000)}`;

/** Runs fn in the page with the page's `window.tillit`. */
const sdk = <R>(page: Page, fn: (t: Tillit) => R) => page.evaluate(`(${fn})(window.tillit)`) as Promise<Awaited<R>>;

/**
 * Milliseconds of one track() and one page() call, and of a hundred parses of the page's URL (the
 * yardstick: wide enough for timer granularity and a GC pause, while the quadratic scrub cost seconds).
 */
const costs = (page: Page, name: string) =>
  page.evaluate((name) => {
    const t = (window as unknown as { tillit: Tillit }).tillit;
    const time = (fn: () => unknown) => {
      const start = performance.now();
      fn();
      return performance.now() - start;
    };
    const hundredParses = time(() => {
      for (let i = 0; i < 100; i++) new URL(location.href).searchParams.forEach(() => {});
    });
    return { track: time(() => t.track(name)), page: time(() => t.page(name)), hundredParses };
  }, name);

test('a page opened with a 100,000-character path tracks and pages without freezing', async ({ page, site, collector }) => {
  // Node's HTTP server refuses a 100 KB request line, so the page takes its long URL before the SDK
  // loads: to the SDK that is a page opened with it.
  const url = `${LONG_PATH}?ref=ann@example.com&q=${'b'.repeat(1000)}`;
  const head = `<script>history.replaceState(null, '', ${JSON.stringify(url)})</script>`;
  site.setPage('/', tillitPage({ collector, banner: false, head }));
  await page.goto(site.url('/'));
  await sdk(page, (t) => t.consent.acceptAll());

  // The automatic page view has cleaned this URL already; each call then costs less than parsing it
  // a hundred times. (Before the fix, one call took seconds: its e-mail pattern was quadratic.)
  const same = await costs(page, 'Same URL');
  expect(same.track, JSON.stringify(same)).toBeLessThan(same.hundredParses);
  expect(same.page, JSON.stringify(same)).toBeLessThan(same.hundredParses);

  // A new long URL: the first event on it cleans it, a few linear passes (quadratic: thousands).
  await page.evaluate((path) => history.pushState(null, '', `${path}c`), LONG_PATH);
  const next = await costs(page, 'Next URL');
  expect(next.track, JSON.stringify(next)).toBeLessThan(next.hundredParses);

  await expect.poll(() => collector.count("SELECT count(*) AS n FROM events WHERE type = 'track' OR type = 'page'")).toBe(6); // on each URL: the automatic page view, a track and a page
  for (const row of await collector.rows<{ payload: string }>('SELECT payload FROM events')) {
    const { url: stored, path } = JSON.parse(row.payload).context.page;
    expect(stored.length).toBeLessThanOrEqual(4096);
    expect(path.length).toBeLessThanOrEqual(4096);
    expect(row.payload).not.toContain('ann@example.com');
  }
});
