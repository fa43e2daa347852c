/**
 * The banner as a site runs it: the built tillit.js loads the built tillit-banner.js, decisions go to
 * the real collector, gated tags run or stay inert, Consent Mode reads what the banner pushed.
 */
import { createHash } from 'node:crypto';
import type { Page } from '@playwright/test';
import { expect, POLICY_VERSION, type TestCollector, type TestSite, test, tillitPage } from '../support/fixtures.js';

// Gated tags of each kind: inline, external (a data: URL stands in for a vendor's file) and an embed.
const TAGS = `
<h1>Test shop</h1>
<script type="text/plain" data-tillit-purpose="analytics">window.ran = (window.ran || []).concat('analytics-inline')</script>
<script type="text/plain" data-tillit-purpose="marketing" src="data:text/javascript,window.ran=(window.ran||[]).concat('marketing-src')"></script>
<script type="text/plain" data-tillit-purpose="marketing">window.ran = (window.ran || []).concat('marketing-inline')</script>
<iframe title="Video" data-src="/embed" data-tillit-purpose="marketing" width="320" height="180"></iframe>`;
// Consent Mode on, as a site turns it on before tillit.js.
const HEAD = `<script>window.tillitBannerOptions = { consentMode: true }</script>`;

function open(site: TestSite, collector: TestCollector, extra: Partial<Parameters<typeof tillitPage>[0]> = {}) {
  site.setPage('/embed', '<!doctype html><title>embed</title><p>video</p>');
  site.setPage(
    '/',
    tillitPage({
      collector,
      head: HEAD,
      body: TAGS,
      attributes: { 'privacy-policy-url': '/policy', 'portal-url': '/portal' },
      ...extra,
    }),
  );
}

const bannerText = (page: Page) =>
  page.evaluate(() => document.querySelector('tillit-consent')!.shadowRoot!.querySelector('.b')!.textContent!);
const ran = (page: Page) => page.evaluate(() => (window as unknown as { ran?: string[] }).ran ?? []);
const decision = (page: Page) =>
  page.evaluate(() =>
    (window as unknown as { tillit: { consent: { get(): { purposes: unknown; source: string } | null } } }).tillit.consent.get(),
  );
/** The Consent Mode commands in the dataLayer, as [command, state] pairs. */
const consentPushes = (page: Page) =>
  page.evaluate(() =>
    ((window as unknown as { dataLayer?: ArrayLike<unknown>[] }).dataLayer ?? [])
      .map((a) => Array.from(a))
      .filter((a) => a[0] === 'consent')
      .map((a) => [a[1], a[2]]),
  );
const records = (collector: TestCollector) =>
  collector.rows<{ purposes: string; source: string; text_hash: string | null; policy_version: string }>(
    'SELECT purposes, source, text_hash, policy_version FROM consent_records ORDER BY id',
  );
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

test('accept all: everything granted and stored, logged at the collector with the text hash, all tags run', async ({
  page,
  site,
  collector,
}) => {
  open(site, collector);
  await page.goto(site.url('/'));
  const banner = page.getByRole('dialog', { name: 'Your privacy choices' });
  await expect(banner).toBeVisible();
  // Before the decision nothing gated has run and Google's tags see everything denied.
  expect(await ran(page)).toEqual([]);
  expect(await consentPushes(page)).toEqual([
    ['default', expect.objectContaining({ analytics_storage: 'denied', ad_storage: 'denied', wait_for_update: 500 })],
  ]);
  const text = await bannerText(page);

  await banner.getByRole('button', { name: 'Accept all' }).click();
  await expect(banner).toBeHidden();
  expect(await decision(page)).toMatchObject({
    purposes: { analytics: true, marketing: true, personalization: true },
    source: 'banner',
  });
  await expect.poll(() => records(collector)).toHaveLength(1);
  const [record] = await records(collector);
  expect(JSON.parse(record!.purposes)).toEqual({ analytics: true, marketing: true, personalization: true });
  expect(record).toMatchObject({ source: 'banner', policy_version: POLICY_VERSION, text_hash: sha256(text) });
  // Document order, the external one awaited before the inline one after it.
  await expect.poll(() => ran(page)).toEqual(['analytics-inline', 'marketing-src', 'marketing-inline']);
  await expect(page.locator('iframe')).toHaveAttribute('src', '/embed');
  const pushes = await consentPushes(page);
  expect(pushes[1]).toEqual([
    'update',
    {
      functionality_storage: 'granted',
      security_storage: 'granted',
      analytics_storage: 'granted',
      ad_storage: 'granted',
      ad_user_data: 'granted',
      ad_personalization: 'granted',
      personalization_storage: 'granted',
    },
  ]);
});

test('reject all: everything refused, logged, no tag runs, the embed stays a placeholder', async ({ page, site, collector }) => {
  open(site, collector);
  await page.goto(site.url('/'));
  await page.getByRole('button', { name: 'Reject all' }).click();
  await expect(page.getByRole('dialog', { name: 'Your privacy choices' })).toBeHidden();
  expect((await decision(page))!.purposes).toEqual({ analytics: false, marketing: false, personalization: false });
  await expect.poll(() => records(collector)).toHaveLength(1);
  expect(JSON.parse((await records(collector))[0]!.purposes)).toEqual({
    analytics: false,
    marketing: false,
    personalization: false,
  });
  expect((await records(collector))[0]!.text_hash).toMatch(/^[0-9a-f]{64}$/);
  await page.waitForTimeout(200);
  expect(await ran(page)).toEqual([]);
  expect(await page.locator('iframe').getAttribute('src')).toBeNull();
  await expect(page.getByRole('button', { name: 'Load this' })).toBeVisible();
  expect((await consentPushes(page))[1]).toEqual([
    'update',
    expect.objectContaining({ analytics_storage: 'denied', ad_storage: 'denied' }),
  ]);
});

test('choose: only the purposes turned on are granted, and only their tags run', async ({ page, site, collector }) => {
  open(site, collector);
  await page.goto(site.url('/'));
  await page.getByRole('button', { name: 'Choose' }).click();
  const prefs = page.getByRole('dialog', { name: 'Privacy preferences' });
  await expect(prefs).toBeVisible();
  for (const name of ['Analytics', 'Marketing', 'Personalisation'])
    await expect(prefs.getByRole('switch', { name })).not.toBeChecked();
  await expect(prefs.getByRole('switch', { name: 'Necessary' })).toBeChecked();
  await expect(prefs.getByRole('switch', { name: 'Necessary' })).toBeDisabled();
  await prefs.getByRole('switch', { name: 'Analytics' }).check();
  await prefs.getByRole('button', { name: 'Save choices' }).click();
  await expect(prefs).toBeHidden();

  expect((await decision(page))!.purposes).toEqual({ analytics: true, marketing: false, personalization: false });
  await expect.poll(() => records(collector)).toHaveLength(1);
  expect(JSON.parse((await records(collector))[0]!.purposes)).toEqual({
    analytics: true,
    marketing: false,
    personalization: false,
  });
  await expect.poll(() => ran(page)).toEqual(['analytics-inline']);
  expect((await consentPushes(page))[1]).toEqual([
    'update',
    expect.objectContaining({ analytics_storage: 'granted', ad_storage: 'denied', ad_user_data: 'denied' }),
  ]);

  // Reopened, the dialog shows the decision; withdrawing is as easy and is logged too.
  await page.evaluate(() => (window as unknown as { tillit: { showPreferences(): void } }).tillit.showPreferences());
  await expect(prefs.getByRole('switch', { name: 'Analytics' })).toBeChecked();
  await prefs.getByRole('switch', { name: 'Analytics' }).uncheck();
  await prefs.getByRole('button', { name: 'Save choices' }).click();
  await expect.poll(() => records(collector)).toHaveLength(2);
  expect(JSON.parse((await records(collector))[1]!.purposes)).toEqual({
    analytics: false,
    marketing: false,
    personalization: false,
  });
  expect((await consentPushes(page)).at(-1)).toEqual(['update', expect.objectContaining({ analytics_storage: 'denied' })]);
});

test('the embed’s "Load this" grants just its purpose, in place', async ({ page, site, collector }) => {
  open(site, collector);
  await page.goto(site.url('/'));
  await page.getByRole('button', { name: 'Load this' }).click();
  await expect(page.locator('iframe')).toHaveAttribute('src', '/embed');
  expect((await decision(page))!.purposes).toEqual({ analytics: false, marketing: true, personalization: false });
  await expect.poll(() => ran(page)).toEqual(['marketing-src', 'marketing-inline']);
  await expect.poll(() => records(collector)).toHaveLength(1);
});

test('closing the first layer with Escape is not consent: nothing stored, nothing runs, asked again next page', async ({
  page,
  site,
  collector,
}) => {
  open(site, collector);
  await page.goto(site.url('/'));
  const banner = page.getByRole('dialog', { name: 'Your privacy choices' });
  await expect(banner).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(banner).toBeHidden();
  expect(await decision(page)).toBeNull();
  expect(await ran(page)).toEqual([]);
  await page.reload();
  await expect(page.getByRole('dialog', { name: 'Your privacy choices' })).toBeVisible();
  expect(await records(collector)).toEqual([]);
});

test('a decision in one tab applies in the other without a reload', async ({ context, site, collector }) => {
  open(site, collector);
  const [a, b] = [await context.newPage(), await context.newPage()];
  await a.goto(site.url('/'));
  await b.goto(site.url('/'));
  await expect(b.getByRole('dialog', { name: 'Your privacy choices' })).toBeVisible();
  await a.getByRole('button', { name: 'Accept all' }).click();
  await expect(b.getByRole('dialog', { name: 'Your privacy choices' })).toBeHidden();
  await expect.poll(() => ran(b)).toEqual(['analytics-inline', 'marketing-src', 'marketing-inline']);
  expect((await consentPushes(b)).at(-1)).toEqual(['update', expect.objectContaining({ ad_storage: 'granted' })]);
  // And a withdrawal made in b reaches a.
  await b.evaluate(() => (window as unknown as { tillit: { showPreferences(): void } }).tillit.showPreferences());
  await b.getByRole('button', { name: 'Reject all' }).click();
  await expect
    .poll(async () => (await consentPushes(a)).at(-1))
    .toEqual(['update', expect.objectContaining({ ad_storage: 'denied' })]);
});

test('the banner comes back when the policy version changes', async ({ page, site, collector }) => {
  open(site, collector, { policyVersion: '2026-01' });
  await page.goto(site.url('/'));
  await page.getByRole('button', { name: 'Accept all' }).click();
  await expect.poll(() => records(collector)).toHaveLength(1);
  // A visitor who has decided downloads no banner code.
  const bannerRequests: string[] = [];
  page.on('request', (r) => r.url().includes('tillit-banner') && bannerRequests.push(r.url()));
  await page.reload();
  await page.waitForFunction(() => (window as unknown as { tillit?: { consent?: unknown } }).tillit?.consent);
  await page.waitForLoadState('networkidle');
  expect(bannerRequests).toEqual([]);
  expect(await page.locator('tillit-consent').count()).toBe(0);
  open(site, collector, { policyVersion: '2026-02' });
  await page.reload();
  await expect(page.getByRole('dialog', { name: 'Your privacy choices' })).toBeVisible();
  await page.getByRole('button', { name: 'Reject all' }).click();
  await expect.poll(async () => (await records(collector)).map((r) => r.policy_version)).toEqual(['2026-01', '2026-02']);
});

test('works under a strict CSP: styled without unsafe-inline, a nonced gated tag runs with its nonce', async ({
  page,
  site,
  collector,
}) => {
  const csp = "default-src 'self'; script-src 'self' 'nonce-t3st' data:; style-src 'self'; connect-src *; frame-src 'self'";
  site.setPage(
    '/',
    tillitPage({
      collector,
      head: `<meta http-equiv="Content-Security-Policy" content="${csp}">`,
      body: `<script type="text/plain" nonce="t3st" data-tillit-purpose="analytics">window.ran = ['nonced']</script>
<script type="text/plain" data-tillit-purpose="analytics">window.ran = ['no nonce, must be blocked']</script>`,
    }),
  );
  const violations: string[] = [];
  page.on('console', (m) => m.text().includes('Content Security Policy') && violations.push(m.text()));
  await page.goto(site.url('/'));
  const accept = page.getByRole('button', { name: 'Accept all' });
  await expect(accept).toBeVisible();
  // The stylesheet applied: the accent colour is on the button.
  expect(await accept.evaluate((b) => getComputedStyle(b).backgroundColor)).toBe('rgb(29, 78, 216)');
  await accept.click();
  await expect.poll(() => ran(page)).toEqual(['nonced']);
  // The only violation is the un-nonced tag the browser itself refused.
  expect(violations.filter((v) => !v.includes('script-src'))).toEqual([]);
  expect(violations.filter((v) => v.includes('style-src'))).toEqual([]);
});

test('withdrawing a purpose deletes the cookies its tags set and, when asked, reloads the page', async ({
  page,
  site,
  collector,
}) => {
  site.setPage(
    '/',
    tillitPage({
      collector,
      head: `<script>window.tillitBannerOptions = { cookies: { analytics: ['_ga', /^_ga_/] }, reloadOnWithdraw: true }</script>`,
      body: `<script type="text/plain" data-tillit-purpose="analytics">
document.cookie = '_ga=GA1.1; path=/'; document.cookie = '_ga_X1=GS1; path=/'; document.cookie = 'site_cart=3; path=/';
</script>`,
    }),
  );
  await page.goto(site.url('/'));
  await page.getByRole('button', { name: 'Accept all' }).click();
  const names = async () => (await page.context().cookies()).map((c) => c.name).sort();
  await expect.poll(names).toEqual(['_ga', '_ga_X1', 'site_cart']);

  await page.evaluate(() => {
    (window as unknown as { beforeReload: boolean }).beforeReload = true;
    (window as unknown as { tillit: { showPreferences(): void } }).tillit.showPreferences();
  });
  const reloaded = page.waitForEvent('load');
  await page.getByRole('dialog', { name: 'Privacy preferences' }).getByRole('button', { name: 'Reject all' }).click();
  await reloaded;
  expect(await page.evaluate(() => (window as unknown as { beforeReload?: boolean }).beforeReload)).toBeUndefined();
  expect(await names()).toEqual(['site_cart']);
  await expect.poll(async () => (await records(collector)).map((r) => JSON.parse(r.purposes).analytics)).toEqual([true, false]);
});

test('the three first-layer buttons have equal weight: same size, colours and type', async ({ page, site, collector }) => {
  open(site, collector);
  for (const width of [1280, 480, 320]) {
    await page.setViewportSize({ width, height: 720 });
    await page.goto(site.url('/'));
    const looks = await page
      .getByRole('dialog', { name: 'Your privacy choices' })
      .getByRole('button')
      .evaluateAll((buttons) =>
        buttons.map((b) => {
          const s = getComputedStyle(b);
          const r = b.getBoundingClientRect();
          return [Math.round(r.width), Math.round(r.height), s.backgroundColor, s.color, s.fontSize, s.fontWeight, s.borderWidth];
        }),
      );
    expect(looks).toHaveLength(3);
    expect(new Set(looks.map((l) => JSON.stringify(l))).size).toBe(1);
  }
});

test('gated tags added to the page later run once their purpose is granted', async ({ page, site, collector }) => {
  open(site, collector);
  await page.goto(site.url('/'));
  await page.getByRole('button', { name: 'Accept all' }).click();
  await expect.poll(() => ran(page)).toHaveLength(3);
  await page.evaluate(() => {
    const s = document.createElement('script');
    s.type = 'text/plain';
    s.dataset.tillitPurpose = 'analytics';
    s.text = "window.ran.push('added-later')";
    document.body.append(s);
  });
  await expect.poll(() => ran(page)).toContain('added-later');
});
