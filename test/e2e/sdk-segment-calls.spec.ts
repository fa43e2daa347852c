/**
 * Issue 12, the SDK's Segment call forms, in real Chromium against the real collector: the built
 * dist/tillit.js by a script tag, the snippet's stub included, checked in the collector's store.
 */
import type { Page } from '@playwright/test';
import type { Tillit } from '@tillit/sdk';
import { expect, test, tillitPage } from '../support/fixtures.js';

/** Runs fn in the page with the page's `window.tillit`. */
const sdk = <R>(page: Page, fn: (t: Tillit) => R) => page.evaluate(`(${fn})(window.tillit)`) as Promise<Awaited<R>>;

/** The README's snippet: calls made before tillit.js has loaded are queued, then replayed by it. */
const STUB = `<script>
  window.tillit = window.tillit || [];
  for (const m of ['track', 'page', 'identify', 'reset', 'showPreferences'])
    window.tillit[m] ??= (...a) => window.tillit.push([m, ...a]);
  window.tillit.consent ??= {};
  for (const m of ['set', 'acceptAll', 'rejectAll', 'onChange'])
    window.tillit.consent[m] ??= (...a) => window.tillit.push([\`consent.\${m}\`, ...a]);
  tillit.consent.acceptAll();
  tillit.identify(42, { plan: 'pro' });
  tillit.track('Stubbed');
</script>`;

test('identify(42) from the snippet stub, before tillit.js loads: stored once as user "42", and so is every later event', async ({
  page,
  site,
  collector,
}) => {
  site.setPage('/', tillitPage({ collector, banner: false, head: STUB, attributes: { 'auto-page': 'off' } }));
  // What the SDK sent (the collector would take a number too): every event's userId as a string.
  const sent: unknown[] = [];
  page.on('request', (r) => r.url() === `${collector.url}/v1/batch` && sent.push(...JSON.parse(r.postData()!).batch));
  await page.goto(site.url('/'));
  await sdk(page, (t) => t.track('After Load'));
  const stored = () =>
    collector.rows<{ type: string; event: string | null; user_id: string }>(
      'SELECT type, event, user_id FROM events ORDER BY received_at, type',
    );
  await expect.poll(async () => (await stored()).length).toBe(3);
  expect((await stored()).map((e) => [e.type, e.event, e.user_id]).sort()).toEqual([
    ['identify', null, '42'],
    ['track', 'After Load', '42'],
    ['track', 'Stubbed', '42'],
  ]);
  expect(sent.map((e) => (e as { userId: unknown }).userId)).toEqual(['42', '42', '42']);
  expect(await page.evaluate(() => JSON.parse(localStorage.tillit_id).userId)).toBe('42');
});
