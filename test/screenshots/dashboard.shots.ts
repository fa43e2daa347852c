/**
 * `npm run screenshots`: every view of the dashboard (and the sign-in) as docs/screenshots/*.png, from
 * a real collector seeded with the demo's simulated shop traffic. The README shows them.
 */
import { mkdirSync } from 'node:fs';
import type { Browser } from '@playwright/test';
import { seedSimulatedShop, startCollector } from '@tillit/collector/testing';
import { expect, test, WRITE_KEY } from '../support/fixtures.js';

const OUT = 'docs/screenshots';
const OPERATOR = 'dashboard-screenshots-operator-token-0123';
const SHOP = 'http://shop.test';
const DAY = 86_400_000;
const VIEWS = ['overview', 'attribution', 'customers', 'products', 'retention', 'feedback', 'privacy', 'live'];

/** The /privacy page of a visitor with a purchase history: "What we concluded about you" and the switches. */
async function portalShot(browser: Browser, url: string) {
  const subject = { id: 'screenshot-visitor', secret: 's'.repeat(43) };
  const post = (path: string, body: object) =>
    fetch(`${url}${path}`, { method: 'POST', body: JSON.stringify({ writeKey: WRITE_KEY, ...body }) });
  const purposes = { analytics: true, personalization: true };
  await post('/v1/consent', {
    anonymousId: subject.id,
    secret: subject.secret,
    purposes,
    policyVersion: '2026-11',
    source: 'banner',
    timestamp: new Date(Date.now() - 90 * DAY).toISOString(),
  });
  const batch = [80, 40, 20, 5].map((days, i) => ({
    messageId: `screenshot-order-${i}`,
    type: 'track',
    event: 'Order Completed',
    anonymousId: subject.id,
    timestamp: new Date(Date.now() - days * DAY).toISOString(),
    context: { consent: { purposes: ['analytics', 'personalization'], policyVersion: '2026-11' } },
    properties: { order_id: `s-${i}`, revenue: 120, products: [{ product_id: 'tea' }] },
  }));
  await post('/v1/batch', { batch });
  const token = await (
    await fetch(`${url}/v1/subjects/${subject.id}/token`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${subject.secret}` },
    })
  ).json();
  const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1000, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${url}/privacy#token=${token.token}`);
  const section = page.locator('tillit-privacy-portal').getByRole('region', { name: 'What we concluded about you' });
  await expect(section).toBeVisible({ timeout: 60_000 });
  await section.screenshot({ path: `${OUT}/portal-concluded.png` });
  await context.close();
}

test('screenshots of every dashboard view', async ({ browser }) => {
  test.setTimeout(300_000);
  mkdirSync(OUT, { recursive: true });
  const running = await startCollector({
    sites: [{ name: 'shop', writeKey: WRITE_KEY, origins: [SHOP] }],
    operatorToken: OPERATOR,
  });
  try {
    // The demo's simulated shop: 1,000 browsers over 120 days up to today.
    const now = new Date();
    await seedSimulatedShop(running.url, {
      writeKey: WRITE_KEY,
      origin: SHOP,
      end: Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()),
    });
    await fetch(`${running.url}/v1/admin/requests`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${OPERATOR}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ kind: 'erasure', channel: 'email', receivedAt: '2026-01-05T10:00:00Z', reference: 'T-1042' }),
    });
    const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${running.url}/dashboard`);
    await page.screenshot({ path: `${OUT}/dashboard-sign-in.png` });
    await page.keyboard.type(OPERATOR);
    await page.keyboard.press('Enter');
    for (const view of VIEWS) {
      await page.evaluate((hash) => {
        location.hash = hash;
      }, view);
      await expect(page.locator('main .status')).toBeEmpty({ timeout: 60_000 });
      await page.screenshot({ path: `${OUT}/dashboard-${view}.png`, fullPage: true });
    }
    await page.setViewportSize({ width: 360, height: 800 });
    await page.evaluate(() => {
      location.hash = 'customers';
    });
    await expect(page.locator('main .status')).toBeEmpty({ timeout: 60_000 });
    await page.screenshot({ path: `${OUT}/dashboard-customers-360px.png` });
    await context.close();
    await portalShot(browser, running.url);
  } finally {
    await running.destroy();
  }
});
