/**
 * Data-subject rights end to end, as a visitor uses them: the site's page loads the SDK's script tag and
 * the portal's, the visitor accepts, events flow to the real collector, the portal shows them, the
 * downloads hold them, and erasure leaves nothing, neither in the collector's database nor in the browser.
 */
import { readFileSync } from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect, type TestCollector, test, tillitPage } from '../support/fixtures.js';

const XSS = '<img src=x onerror="window.__pwned=1">';

interface TillitWindow {
  tillit: {
    consent: { acceptAll(): Promise<void> };
    track(event: string, properties?: Record<string, unknown>): void;
    flush(): Promise<void>;
    anonymousId(): string | null;
    privacy: { portalUrl(): Promise<string | null> };
  };
  __pwned?: number;
}

const portalPage = (collector: { url: string }) =>
  tillitPage({
    collector,
    banner: false,
    body: '<h1>Test shop</h1><tillit-privacy-portal></tillit-privacy-portal><script src="/tillit/tillit-portal.js"></script>',
  });

/** Accepts, tracks two events (one carrying an XSS payload) and waits until the collector holds them. */
async function acceptAndTrack(page: Page, collector: TestCollector): Promise<string> {
  const id = await page.evaluate(async (xss) => {
    const { tillit } = window as unknown as TillitWindow;
    await tillit.consent.acceptAll();
    tillit.track('Product Viewed', { sku: 'A-1', note: xss });
    tillit.track('Checkout', { total: 42 });
    await tillit.flush();
    return tillit.anonymousId()!;
  }, XSS);
  expect(id).toBeTruthy();
  await expect
    .poll(() => collector.count("SELECT count(*) AS n FROM events WHERE anonymous_id = ? AND type = 'track'", id))
    .toBe(2);
  await expect.poll(() => collector.count('SELECT count(*) AS n FROM subjects WHERE anonymous_id = ?', id)).toBe(1);
  return id;
}

/** Every trace of Tillit the page's origin keeps: storage keys, IndexedDB databases, cookies. */
const browserTraces = (page: Page) =>
  page.evaluate(async () => {
    const keys = (s: Storage) => Object.keys(s).filter((k) => /tillit/i.test(k));
    const dbs = (await indexedDB.databases()).map((d) => d.name ?? '').filter((n) => /tillit/i.test(n));
    const cookies = document.cookie.split(';').filter((c) => /tillit/i.test(c));
    return [...keys(localStorage), ...keys(sessionStorage), ...dbs, ...cookies];
  });

test('accept → track → portal lists the events → JSON and CSV hold them → erase → nothing left anywhere', async ({
  page,
  site,
  collector,
}) => {
  site.setPage('/privacy.html', portalPage(collector));
  await page.goto(site.url('/privacy.html'));
  const portal = page.locator('tillit-privacy-portal');
  await expect(portal.getByText('This website holds no data about you in this browser.')).toBeVisible();
  const id = await acceptAndTrack(page, collector);
  expect(await browserTraces(page)).not.toEqual([]);

  await page.reload();
  await expect(portal.getByRole('cell', { name: 'Product Viewed' })).toBeVisible();
  await expect(portal.getByRole('cell', { name: 'Checkout' })).toBeVisible();
  // The stored payload is shown as the text it is, and never runs.
  await expect(portal.getByRole('cell', { name: /onerror/ })).toContainText(XSS.replaceAll('"', '\\"'));
  expect(await portal.locator('img').count()).toBe(0);
  expect(await page.evaluate(() => (window as unknown as TillitWindow).__pwned)).toBeUndefined();
  const a11y = await new AxeBuilder({ page }).include('tillit-privacy-portal').analyze();
  expect(a11y.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`)).toEqual([]);

  // Changing a choice in the portal goes through the SDK and is recorded with the portal as its source.
  const marketing = portal.getByRole('checkbox', { name: /marketing/i });
  await expect(marketing).toBeChecked();
  await marketing.uncheck();
  await portal.getByRole('button', { name: 'Save choices' }).click();
  await expect(portal.getByRole('status')).toHaveText('Your choices are saved.');
  await expect.poll(() => collector.count("SELECT count(*) AS n FROM consent_records WHERE source = 'portal'")).toBe(1);

  for (const format of ['JSON', 'CSV']) {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      portal.getByRole('button', { name: `Download ${format}` }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`tillit-data.${format.toLowerCase()}`);
    const text = readFileSync((await download.path())!, 'utf8');
    expect(text).toContain('Product Viewed');
    expect(text).toContain('Checkout');
    expect(text).toContain(id);
    if (format === 'JSON') expect(JSON.parse(text).data.events.map((e: { event: string }) => e.event)).toContain('Checkout');
    else expect(text.split('\r\n')[0]).toBe('record,time,id,type,name,anonymous_id,user_id,details');
  }

  await portal.getByRole('button', { name: 'Erase my data…' }).click();
  const started = Date.now();
  await portal.getByRole('button', { name: 'Yes, erase everything' }).click();
  await expect(portal.getByRole('heading', { name: 'Your data has been erased' })).toBeFocused();
  console.info(`[privacy] erase, click to receipt: ${Date.now() - started} ms`);
  expect(await collector.cellsContaining(id)).toEqual([]);
  await expect.poll(() => browserTraces(page)).toEqual([]);
  expect(await page.evaluate(() => (window as unknown as TillitWindow).tillit.anonymousId())).toBeNull();
});

test('the SDK’s portal link opens the collector’s /privacy page with the visitor’s data', async ({ page, site, collector }) => {
  site.setPage('/', tillitPage({ collector, banner: false }));
  await page.goto(site.url('/'));
  await acceptAndTrack(page, collector);
  const url = await page.evaluate(() => (window as unknown as TillitWindow).tillit.privacy.portalUrl());
  expect(url).toMatch(new RegExp(`^${collector.url}/privacy#token=[\\w-]+\\.[\\w-]{43}$`));
  const { secret } = await page.evaluate(() => JSON.parse(localStorage.getItem('tillit_id')!) as { secret: string });
  expect(secret.length).toBeGreaterThan(20);
  expect(url).not.toContain(secret);

  await page.goto(url!);
  await expect(page.getByRole('cell', { name: 'Checkout' })).toBeVisible();
  expect(page.url()).toBe(`${collector.url}/privacy`);
});

test('a second browser’s secret cannot read or erase the first’s data and gets the unknown-id answer', async ({
  browser,
  site,
  collector,
}) => {
  site.setPage('/', tillitPage({ collector, banner: false }));
  const first = await browser.newPage();
  await first.goto(site.url('/'));
  const firstId = await acceptAndTrack(first, collector);
  const second = await browser.newPage();
  await second.goto(site.url('/'));
  await acceptAndTrack(second, collector);

  const answers = await second.evaluate(
    async ({ url, victim }) => {
      const own = JSON.parse(localStorage.getItem('tillit_id')!) as { secret: string };
      const ask = async (id: string, method: string) => {
        const res = await fetch(`${url}/v1/subjects/${id}`, { method, headers: { Authorization: `Bearer ${own.secret}` } });
        return { status: res.status, body: await res.json() };
      };
      return [await ask(victim, 'GET'), await ask(victim, 'DELETE'), await ask(crypto.randomUUID(), 'GET')];
    },
    { url: collector.url, victim: firstId },
  );
  const unknown = { status: 404, body: { error: 'not_found', reason: 'no data for these credentials' } };
  expect(answers).toEqual([unknown, unknown, unknown]);
  expect(await collector.count("SELECT count(*) AS n FROM events WHERE anonymous_id = ? AND type = 'track'", firstId)).toBe(2);
  await first.close();
  await second.close();
});
