/**
 * tillit-tags.js: a returning visitor's gated tags and Consent Mode without the banner's code, and
 * both bundles on one page mounting the tags once.
 */
import type { Page } from '@playwright/test';
import { expect, type TestCollector, type TestSite, test, tillitPage } from '../support/fixtures.js';

// As the README says: options, then tillit-tags.js synchronously, then Google's snippet.
const HEAD = `<script>window.tillitBannerOptions = { consentMode: true }</script>
<script src="/tillit/tillit-tags.js"></script>
<script>
window.dataLayer = window.dataLayer || [];
function gtag() { dataLayer.push(arguments); }
gtag('js', new Date());
gtag('config', 'G-TEST');
</script>`;
// Analytics tags around an external one (awaited before the next), and a marketing tag.
const TAGS = `<h1>Shop</h1>
<script type="text/plain" data-tillit-purpose="analytics">window.ran = (window.ran || []).concat('a1')</script>
<script type="text/plain" data-tillit-purpose="analytics" src="data:text/javascript,window.ran=(window.ran||[]).concat('a2')"></script>
<script type="text/plain" data-tillit-purpose="marketing">window.ran = (window.ran || []).concat('m1')</script>
<script type="text/plain" data-tillit-purpose="analytics">window.ran = (window.ran || []).concat('a3')</script>
<iframe title="Video" data-src="/embed" data-tillit-purpose="analytics" width="320" height="180"></iframe>`;

function open(site: TestSite, collector: TestCollector) {
  site.setPage('/embed', '<!doctype html><title>embed</title><p>video</p>');
  site.setPage('/', tillitPage({ collector, head: HEAD, body: TAGS, attributes: { 'auto-page': 'off' } }));
}

const ran = (page: Page) => page.evaluate(() => (window as unknown as { ran?: string[] }).ran ?? []);
/** The dataLayer as [command, argument] pairs, in order. */
const dataLayer = (page: Page) =>
  page.evaluate(() =>
    ((window as unknown as { dataLayer?: ArrayLike<unknown>[] }).dataLayer ?? []).map((a) => {
      const [command, arg, state] = Array.from(a);
      return command === 'consent' ? [`consent ${arg}`, state] : [command, typeof arg === 'string' ? arg : null];
    }),
  );
type Sdk = { consent: { set(c: Record<string, boolean>): Promise<void>; acceptAll(): Promise<void> } };

test('a returning visitor: granted tags run once in document order, Consent Mode is updated, no banner code', async ({
  page,
  site,
  collector,
}) => {
  open(site, collector);
  await page.goto(site.url('/'));
  // First visit: decided here (the banner is on the page, as it is while a decision is needed).
  await page.evaluate(() => (window as unknown as { tillit: Sdk }).tillit.consent.set({ analytics: true, marketing: false }));
  await expect.poll(() => collector.count('SELECT count(*) AS n FROM consent_records')).toBe(1);
  // And its receipt kept: a record still unacknowledged on the next page loads the privacy chunk to resend it.
  await expect
    .poll(() => page.evaluate(() => JSON.parse(localStorage.getItem('tillit_consent') ?? '{}').receiptId))
    .toEqual(expect.any(String));

  const bundles: string[] = [];
  page.on('request', (r) => r.url().includes('/tillit/') && bundles.push(new URL(r.url()).pathname));
  await page.reload();
  await expect.poll(() => ran(page)).toEqual(['a1', 'a2', 'a3']);
  await expect(page.locator('iframe')).toHaveAttribute('src', '/embed');

  const layer = await dataLayer(page);
  // The default comes before Google's own commands; the update follows once the SDK is ready.
  expect(layer.slice(0, 3)).toEqual([
    ['consent default', expect.objectContaining({ analytics_storage: 'denied', ad_storage: 'denied', wait_for_update: 500 })],
    ['js', null],
    ['config', 'G-TEST'],
  ]);
  expect(layer.filter(([c]) => c === 'consent update')).toEqual([
    ['consent update', expect.objectContaining({ analytics_storage: 'granted', ad_storage: 'denied', ad_user_data: 'denied' })],
  ]);

  // A returning visitor with nothing to decide loads neither the banner nor the privacy chunk.
  await page.waitForLoadState('networkidle');
  expect([...bundles].sort()).toEqual(['/tillit/tillit-tags.js', '/tillit/tillit.js']);

  // Another decision: the tags that ran do not run again; the newly granted one runs. Its consent
  // record is sent by the privacy chunk, so that chunk (and still no banner code) follows.
  await page.evaluate(() => (window as unknown as { tillit: Sdk }).tillit.consent.acceptAll());
  await expect.poll(() => ran(page)).toEqual(['a1', 'a2', 'a3', 'm1']);
  await expect.poll(() => collector.count('SELECT count(*) AS n FROM consent_records')).toBe(2);
  expect(bundles.sort()).toEqual(['/tillit/tillit-privacy.js', '/tillit/tillit-tags.js', '/tillit/tillit.js']);
});

test('with both bundles on a page the tags are mounted once: one default, each tag run once', async ({
  page,
  site,
  collector,
}) => {
  open(site, collector);
  await page.goto(site.url('/'));
  const banner = page.getByRole('dialog', { name: 'Your privacy choices' });
  await expect(banner).toBeVisible(); // undecided: tillit.js loaded the banner too
  expect(await page.evaluate(() => typeof (window as unknown as { tillitTags?: unknown }).tillitTags)).toBe('function');
  // The embed's placeholder is the banner's, on the mount that tillit-tags.js made.
  await expect(page.getByRole('button', { name: /Load/ })).toBeVisible();
  await banner.getByRole('button', { name: 'Accept all' }).click();
  await expect.poll(() => ran(page)).toEqual(['a1', 'a2', 'm1', 'a3']);
  await page.waitForTimeout(300);
  expect(await ran(page)).toEqual(['a1', 'a2', 'm1', 'a3']);
  const layer = await dataLayer(page);
  expect(layer.filter(([c]) => c === 'consent default')).toHaveLength(1);
  expect(layer.filter(([c]) => c === 'consent update')).toHaveLength(1);
});
