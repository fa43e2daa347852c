/**
 * The collector's data-subject API and its standalone /privacy page in real Chromium, without the SDK:
 * data is put in over HTTP as any client would, the visitor arrives with a short-lived token in the fragment.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import AxeBuilder from '@axe-core/playwright';
import { expect, type TestCollector, test, WRITE_KEY } from '../support/fixtures.js';

const XSS = '<img src=x onerror="window.__pwned=1">';

/** A subject with a consent record (which binds its secret) and `events` tracked events. */
async function seed(collector: TestCollector, events: Record<string, unknown>[]) {
  const subject = { id: randomUUID(), secret: randomBytes(32).toString('base64url') };
  const post = (path: string, body: unknown) =>
    fetch(`${collector.url}${path}`, { method: 'POST', body: JSON.stringify({ writeKey: WRITE_KEY, ...(body as object) }) });
  await post('/v1/consent', {
    anonymousId: subject.id,
    secret: subject.secret,
    purposes: { analytics: true, marketing: false },
    policyVersion: '2026-11',
    source: 'banner',
    timestamp: new Date().toISOString(),
  });
  const batch = events.map((e, i) => ({
    type: 'track',
    messageId: randomUUID(),
    anonymousId: subject.id,
    timestamp: new Date(Date.now() - (events.length - i) * 1000).toISOString(),
    ...e,
  }));
  expect(await (await post('/v1/batch', { batch })).json()).toMatchObject({ accepted: events.length });
  return subject;
}

async function portalToken(collector: TestCollector, subject: { id: string; secret: string }): Promise<string> {
  const res = await fetch(`${collector.url}/v1/subjects/${subject.id}/token`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${subject.secret}` },
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { token: string }).token;
}

test('the /privacy page lists the data held, as text, and the token leaves the address bar', async ({ page, collector }) => {
  const subject = await seed(collector, [
    { event: 'Product Viewed', properties: { sku: 'A-1', note: XSS } },
    { event: XSS },
    { event: 'Checkout' },
  ]);
  const token = await portalToken(collector, subject);
  await page.goto(`${collector.url}/privacy#token=${token}`);
  const portal = page.locator('tillit-privacy-portal');
  await expect(portal.getByRole('heading', { level: 1, name: 'Your privacy' })).toBeVisible();
  await expect(portal.getByText('3 events, 1 consent records, 0 linked identities.')).toBeVisible();
  await expect(portal.getByRole('cell', { name: XSS, exact: true })).toBeVisible();
  await expect(portal.getByRole('cell', { name: 'Checkout' })).toBeVisible();
  expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
  expect(await portal.locator('img').count()).toBe(0);
  expect(page.url()).toBe(`${collector.url}/privacy`);
  await expect(portal.getByText(/deleted 395 days after/)).toBeVisible();
  // Standalone, the choices are shown as recorded; they are changed on the site itself.
  await expect(portal.getByText('Marketing: off', { exact: true })).toBeVisible();

  const a11y = await new AxeBuilder({ page }).include('tillit-privacy-portal').analyze();
  expect(a11y.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`)).toEqual([]);
});

test('the /privacy page speaks Swedish to a Swedish browser', async ({ browser, collector }) => {
  const subject = await seed(collector, [{ event: 'Product Viewed' }]);
  const context = await browser.newContext({ locale: 'sv-SE' });
  const page = await context.newPage();
  await page.goto(`${collector.url}/privacy#token=${await portalToken(collector, subject)}`);
  await expect(page.getByRole('heading', { level: 1, name: 'Din integritet' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Ladda ner CSV' })).toBeVisible();
  const a11y = await new AxeBuilder({ page }).include('tillit-privacy-portal').analyze();
  expect(a11y.violations.map((v) => v.id)).toEqual([]);
  await context.close();
});

test('erasing on the /privacy page takes a confirmation, gives a receipt and leaves no row of the subject', async ({
  page,
  collector,
}) => {
  const subject = await seed(collector, [{ event: 'Product Viewed' }, { event: 'Checkout' }]);
  const other = await seed(collector, [{ event: 'Someone Else' }]);
  await page.goto(`${collector.url}/privacy#token=${await portalToken(collector, subject)}`);
  const portal = page.locator('tillit-privacy-portal');
  await portal.getByRole('button', { name: 'Erase my data…' }).click();
  await expect(portal.getByRole('button', { name: 'Cancel' })).toBeFocused();
  expect(await collector.count('SELECT count(*) AS n FROM events WHERE anonymous_id = ?', subject.id)).toBe(2);
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Enter');
  await expect(portal.getByRole('heading', { name: 'Your data has been erased' })).toBeFocused();
  await expect(portal.getByText(/^Receipt [0-9a-f-]{36}/)).toBeVisible();
  expect(await collector.cellsContaining(subject.id)).toEqual([]);
  expect(await collector.count('SELECT count(*) AS n FROM events WHERE anonymous_id = ?', other.id)).toBe(1);
  expect(await collector.rows("SELECT action, outcome FROM audit_log WHERE action = 'erase'")).toEqual([
    { action: 'erase', outcome: 'ok' },
  ]);
});

test('a forged or missing token gets the page saying the link is not valid, and no data', async ({ page, collector }) => {
  const subject = await seed(collector, [{ event: 'Secret Event' }]);
  const token = await portalToken(collector, subject);
  const [claims] = token.split('.');
  await page.goto(`${collector.url}/privacy#token=${claims}.${'A'.repeat(43)}`);
  await expect(page.getByRole('status')).toHaveText(/expired or is not valid/);
  await expect(page.getByText('Secret Event')).toHaveCount(0);
  await page.goto(`${collector.url}/privacy`);
  await expect(page.getByRole('status')).toHaveText(/expired or is not valid/);
});

test('a page on another origin cannot read or erase, even holding the secret', async ({ page, site, collector }) => {
  const subject = await seed(collector, [{ event: 'Product Viewed' }]);
  site.setPage('/', '<!doctype html><title>evil</title><h1>evil</h1>');
  await page.goto(site.url('/', 'evil.test'));
  const outcomes = await page.evaluate(
    async ({ url, id, secret }) => {
      const attempt = async (init: RequestInit) => {
        try {
          return String((await fetch(`${url}/v1/subjects/${id}`, init)).status);
        } catch {
          return 'blocked';
        }
      };
      // A plain form post cannot send the Authorization header and cannot use DELETE.
      const form = Object.assign(document.createElement('form'), {
        method: 'POST',
        action: `${url}/v1/subjects/${id}`,
        target: 'f',
      });
      document.body.append(Object.assign(document.createElement('iframe'), { name: 'f' }), form);
      form.submit();
      await new Promise((r) => setTimeout(r, 300));
      return [
        await attempt({ method: 'DELETE', headers: { Authorization: `Bearer ${secret}` } }),
        await attempt({ headers: { Authorization: `Bearer ${secret}` } }),
      ];
    },
    { url: collector.url, id: subject.id, secret: subject.secret },
  );
  expect(outcomes).toEqual(['blocked', 'blocked']);
  expect(await collector.count('SELECT count(*) AS n FROM events WHERE anonymous_id = ?', subject.id)).toBe(1);
});
