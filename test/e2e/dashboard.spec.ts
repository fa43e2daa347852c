/**
 * The operator dashboard at /dashboard in real Chromium against a real collector seeded with the demo's
 * simulated shop traffic: every view renders its charts and tables with no console error and no axe violation, in
 * English and Swedish at 360 px wide, is reached by keyboard, and every refused token brings the
 * sign-in back. One browser context per language, one seeded collector for the file.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import AxeBuilder from '@axe-core/playwright';
import type { BrowserContext, Page, Request, Route } from '@playwright/test';
import { type RunningCollector, seedSimulatedShop, startCollector } from '@tillit/collector/testing';
import { expect, test, WRITE_KEY } from '../support/fixtures.js';

const OPERATOR = 'dashboard-e2e-operator-token-0123456789';
const SHOP = 'http://shop.test';
const VIEWS = {
  en: ['Overview', 'Attribution', 'Customers', 'Products', 'Retention', 'Feedback', 'Privacy operations', 'Live events'],
  sv: ['Översikt', 'Attribution', 'Kunder', 'Produkter', 'Återkomst', 'Återkoppling', 'Integritetsarbete', 'Händelser live'],
};
const SIGN_IN = { en: 'Sign in', sv: 'Logga in' };
// Views whose panels draw a chart with the demo data (privacy operations and live events are tables).
const CHARTED = new Set([0, 1, 2, 3, 4, 5]);

test.describe.configure({ mode: 'serial' });

let running: RunningCollector;

test.beforeAll(async ({ store }) => {
  running = await startCollector(
    {
      sites: [{ name: 'e2e', writeKey: WRITE_KEY, origins: [SHOP] }],
      operatorToken: OPERATOR,
      // The refusal tests send wrong tokens on purpose; the default limit would answer 429 instead of 401.
      failureLimit: { max: 1000, perSubject: 1000, windowSeconds: 60 },
    },
    undefined,
    store,
  );
  // The demo's simulated traffic, smaller: 300 browsers over 120 days up to today.
  const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
  await seedSimulatedShop(running.url, { writeKey: WRITE_KEY, origin: SHOP, visitors: 300, end: today });
  // An offline request, overdue, for the privacy view.
  const res = await fetch(`${running.url}/v1/admin/requests`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${OPERATOR}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ kind: 'access', channel: 'email', receivedAt: '2026-01-05T10:00:00Z', reference: 'T-1' }),
  });
  expect(res.status).toBe(201);
  // Two visitors with secrets of their own: A a frequent, recent, big spender; B never bought.
  await visitor(A, [90, 70, 50, 30, 10, 2]);
  await visitor(B, []);
});

const A = { id: `portal-a-${randomUUID()}`, secret: randomBytes(32).toString('base64url') };
const B = { id: `portal-b-${randomUUID()}`, secret: randomBytes(32).toString('base64url') };

async function visitor(subject: { id: string; secret: string }, ordersDaysAgo: number[]) {
  const post = (path: string, body: object) =>
    fetch(`${running.url}${path}`, { method: 'POST', body: JSON.stringify({ writeKey: WRITE_KEY, ...body }) });
  const purposes = { analytics: true, personalization: true };
  const timestamp = new Date(Date.now() - 100 * 86_400_000).toISOString();
  await post('/v1/consent', {
    anonymousId: subject.id,
    secret: subject.secret,
    purposes,
    policyVersion: '2026-11',
    source: 'banner',
    timestamp,
  });
  const batch = ordersDaysAgo.map((days, i) => ({
    messageId: randomUUID(),
    type: 'track',
    event: 'Order Completed',
    anonymousId: subject.id,
    timestamp: new Date(Date.now() - days * 86_400_000).toISOString(),
    context: { consent: { purposes: ['analytics', 'personalization'], policyVersion: '2026-11' } },
    properties: { order_id: `${subject.id}-${i}`, revenue: 400, products: [{ product_id: 'tea' }] },
  }));
  if (batch.length) expect((await (await post('/v1/batch', { batch })).json()).accepted).toBe(batch.length);
}

async function portalUrl(subject: { id: string; secret: string }) {
  const res = await fetch(`${running.url}/v1/subjects/${subject.id}/token`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${subject.secret}` },
  });
  return `${running.url}/privacy#token=${((await res.json()) as { token: string }).token}`;
}

test.afterAll(async () => running?.destroy());

async function axe(page: Page) {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

async function open(context: BrowserContext): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${running.url}/dashboard`);
  return { page, errors };
}

async function signIn(page: Page, lang: 'en' | 'sv', token = OPERATOR) {
  // The token field has the focus: typing and Enter sign in, no mouse needed.
  await expect(page.locator('#token')).toBeFocused();
  await page.keyboard.type(token);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('navigation')).toBeVisible();
  await expect(page.getByRole('button', { name: SIGN_IN[lang] })).toHaveCount(0);
}

for (const lang of ['en', 'sv'] as const) {
  test(`every view renders charts and tables, by keyboard, with no console error or axe violation (${lang}, 360 px)`, async ({
    browser,
  }) => {
    test.setTimeout(240_000);
    const context = await browser.newContext({
      locale: lang === 'sv' ? 'sv-SE' : 'en-GB',
      viewport: { width: 360, height: 800 },
    });
    const { page, errors } = await open(context);
    expect(await axe(page), 'sign-in').toEqual([]);
    await signIn(page, lang);
    for (const [i, name] of VIEWS[lang].entries()) {
      // Tab from the top of the page to the view's link, then Enter.
      await page.locator('body').focus();
      const link = page.getByRole('link', { name, exact: true });
      for (let tabs = 0; tabs < 30 && !(await link.evaluate((el) => el === document.activeElement)); tabs++)
        await page.keyboard.press('Tab');
      await expect(link, `${name} is reached by Tab`).toBeFocused();
      await page.keyboard.press('Enter');
      await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
      await expect(page.locator('main .status')).toBeEmpty({ timeout: 30_000 });
      expect(await page.locator('main table').count(), `${name} has tables`).toBeGreaterThan(0);
      if (CHARTED.has(i)) expect(await page.locator('main svg[role=img]').count(), `${name} has charts`).toBeGreaterThan(0);
      expect(await axe(page), name).toEqual([]);
      // Nothing wider than the screen: the page reflows at 360 px (WCAG 1.4.10); tables scroll inside their box.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    }
    expect(errors).toEqual([]);
    // The token is in memory only.
    expect(page.url()).not.toContain(OPERATOR);
    expect(
      await page.evaluate(() => [document.cookie, JSON.stringify(localStorage), JSON.stringify(sessionStorage)].join()),
    ).not.toContain(OPERATOR);
    await context.close();
  });
}

test('a refused token brings the sign-in back, on every view', async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const { page } = await open(context);
  await signIn(page, 'en');
  const ids = ['overview', 'attribution', 'customers', 'products', 'retention', 'feedback', 'privacy', 'live'];
  // The collector itself refuses: every API request now carries a wrong token (as after a rotation).
  // The view shown at sign-in may still be loading (slower on PostgreSQL): only the answers to requests
  // sent with the wrong token are the refusal.
  const refused = new Set<Request>();
  const wrongToken = (route: Route) => {
    refused.add(route.request());
    return route.continue({ headers: { ...route.request().headers(), authorization: 'Bearer not-the-operator-token' } });
  };
  for (const id of ids) {
    await page.route('**/v1/**', wrongToken);
    const response = page.waitForResponse((r) => refused.has(r.request()));
    await page.evaluate((hash) => {
      location.hash = hash;
    }, id);
    expect((await response).status(), id).toBe(401);
    await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
    await expect(page.getByRole('alert')).toContainText('Sign in again');
    await page.unroute('**/v1/**', wrongToken);
    await signIn(page, 'en');
  }
  await context.close();
});

test('a wrong token is refused at sign-in, and the page runs under a strict CSP', async ({ page }) => {
  const res = await page.goto(`${running.url}/dashboard`);
  const csp = res!.headers()['content-security-policy']!;
  expect(csp).toContain("script-src 'self'");
  expect(csp).toContain("style-src 'self'");
  expect(csp).not.toContain('unsafe-inline');
  await page.keyboard.type('wrong-token');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('alert')).toHaveText('The token was refused. Check it and try again.');
});

test("the portal shows a visitor's segment and scores, hides them after the objection switch, and never another visitor's", async ({
  browser,
}) => {
  const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 360, height: 800 } });
  const { page, errors } = await open(context);
  await page.goto(await portalUrl(A));
  const portal = page.locator('tillit-privacy-portal');
  await expect(portal.getByRole('heading', { name: 'What we concluded about you' })).toBeVisible({ timeout: 20_000 });
  await expect(portal.getByText('Customer segment: Champions')).toBeVisible();
  await expect(portal.getByText('Expected value as a customer: high')).toBeVisible();
  await expect(portal.getByText(/^Risk that you stop buying: \d+ %$/)).toBeVisible();
  await expect(portal.getByText(/rests on your consent to personalization/)).toBeVisible();
  expect(await axe(page)).toEqual([]);

  // By keyboard: the switch takes focus, Space turns it on, and the conclusions go at once.
  const objection = portal.getByRole('switch', { name: 'Object to profiling (Art. 21)' });
  await expect(objection).not.toBeChecked();
  await objection.focus();
  await page.keyboard.press('Space');
  await expect(portal.getByText('You object to profiling: nothing is concluded about you.')).toBeVisible();
  await expect(portal.getByText('Customer segment: Champions')).toHaveCount(0);
  await expect(portal.getByRole('switch', { name: 'Object to profiling (Art. 21)' })).toBeChecked();
  await expect(portal.getByRole('switch', { name: 'Object to profiling (Art. 21)' })).toBeFocused();
  // Reversible: off again, and the segment is back.
  await page.keyboard.press('Space');
  await expect(portal.getByText('Customer segment: Champions')).toBeVisible();

  // B, in Swedish, sees that nothing was concluded about them: never A's results.
  const sv = await browser.newContext({ locale: 'sv-SE' });
  const other = await sv.newPage();
  await other.goto(await portalUrl(B));
  const theirs = other.locator('tillit-privacy-portal');
  await expect(theirs.getByRole('heading', { name: 'Vad vi har dragit för slutsatser om dig' })).toBeVisible({ timeout: 20_000 });
  await expect(theirs.getByText('Inga slutsatser har dragits om dig.')).toBeVisible();
  await expect(theirs.getByText(/Champions/)).toHaveCount(0);
  expect(await axe(other)).toEqual([]);
  expect(errors).toEqual([]);
  await sv.close();
  await context.close();
});

test('privacy operations show the destinations: what waits, fails, and which erasures are still to forward', async ({
  page,
  store,
}) => {
  // A webhook nobody answers (port 9, discard): deliveries fail and wait for their retry.
  const own = await startCollector(
    {
      sites: [
        {
          name: 'e2e',
          writeKey: WRITE_KEY,
          origins: [SHOP],
          destinations: [
            { name: 'crm', type: 'webhook', purpose: 'analytics', url: 'http://127.0.0.1:9/hook', secret: 'w'.repeat(40) },
          ],
        },
      ],
      operatorToken: OPERATOR,
    },
    undefined,
    store,
  );
  try {
    const batch = [
      {
        messageId: randomUUID(),
        type: 'page',
        anonymousId: 'd-1',
        timestamp: new Date().toISOString(),
        context: { consent: { purposes: ['analytics'] } },
      },
    ];
    await fetch(`${own.url}/v1/batch`, { method: 'POST', body: JSON.stringify({ writeKey: WRITE_KEY, batch }) });
    await page.goto(`${own.url}/dashboard#privacy`);
    await page.keyboard.type(OPERATOR);
    await page.keyboard.press('Enter');
    const panel = page.getByRole('region', { name: 'Destinations' });
    await expect(panel.getByRole('cell', { name: 'crm', exact: true })).toBeVisible({ timeout: 20_000 });
    await expect(panel.getByRole('columnheader', { name: 'Dead letters' })).toBeVisible();
    expect(await axe(page)).toEqual([]);
  } finally {
    await own.destroy();
  }
});
