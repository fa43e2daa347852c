/**
 * Sessions in real Chromium against the real collector: the built dist/tillit.js numbers sessions as
 * RudderStack does (`context.sessionId`: start time in ms, `context.sessionStart` on the first event),
 * only after consent, and starts a new one after 30 minutes without an event. Time is driven with
 * Playwright's clock, never waited for.
 */
import type { Page } from '@playwright/test';
import { storedEvents } from '@tillit/collector/testing';
import { expect, type TestCollector, test, tillitPage } from '../support/fixtures.js';

const T0 = Date.UTC(2026, 11, 2, 12);
const track = (page: Page, name: string) => page.evaluate((n) => (window as any).tillit.track(n), name);
const localKeys = (page: Page) => page.evaluate(() => Object.keys(localStorage).sort());

/** The stored events' name, sessionId and sessionStart, in arrival order, once `n` have arrived. */
async function sessions(collector: TestCollector, n: number) {
  await expect.poll(async () => (await storedEvents(collector.running.sql)).length).toBe(n);
  return (await storedEvents(collector.running.sql)).map((e) => [
    e.event,
    e.payload.context.sessionId,
    e.payload.context.sessionStart,
  ]);
}

test('events carry a session only after consent, and a new one after 30 minutes without an event', async ({
  page,
  site,
  collector,
}) => {
  await page.clock.install({ time: T0 });
  site.setPage('/', tillitPage({ collector, banner: false, attributes: { 'auto-page': 'off' } }));
  await page.goto(site.url('/'));
  await track(page, 'Held');
  expect(await localKeys(page)).toEqual([]); // no session before the decision
  const consentAt = await page.evaluate(() => Date.now());
  await page.evaluate(() => (window as any).tillit.consent.acceptAll());
  await track(page, 'Next');
  await page.clock.runFor(3000); // the flush interval
  const [held, next] = await sessions(collector, 2);
  const start = held![1];
  expect(start).toBeGreaterThanOrEqual(consentAt); // the session starts when the held event is queued
  expect(held).toEqual(['Held', start, true]);
  expect(next).toEqual(['Next', start, undefined]);
  expect(await localKeys(page)).toContain('tillit_session');

  await page.clock.runFor(29 * 60_000);
  await track(page, 'Within');
  await page.clock.runFor(30 * 60_000 + 1000);
  const later = await page.evaluate(() => Date.now());
  await track(page, 'After Timeout');
  await page.clock.runFor(3000);
  const [, , within, after] = await sessions(collector, 4);
  expect(within).toEqual(['Within', start, undefined]);
  expect(after).toEqual(['After Timeout', expect.any(Number), true]);
  expect(after![1]).toBeGreaterThanOrEqual(later);
});

test('withdrawing everything deletes the session; a refusal never makes one', async ({ page, site, collector }) => {
  site.setPage('/', tillitPage({ collector, banner: false }));
  await page.goto(site.url('/'));
  await page.evaluate(() => (window as any).tillit.consent.acceptAll());
  await track(page, 'A');
  expect(await localKeys(page)).toContain('tillit_session');
  await page.evaluate(() => (window as any).tillit.consent.rejectAll());
  expect(await localKeys(page)).toEqual(['tillit_consent']);
  await track(page, 'B');
  await page.reload();
  expect(await localKeys(page)).toEqual(['tillit_consent']);
});

test('data-session-timeout="off" sends no session fields', async ({ page, site, collector }) => {
  site.setPage('/', tillitPage({ collector, banner: false, attributes: { 'auto-page': 'off', 'session-timeout': 'off' } }));
  await page.goto(site.url('/'));
  await page.evaluate(() => (window as any).tillit.consent.acceptAll());
  await track(page, 'A');
  expect(await sessions(collector, 1)).toEqual([['A', undefined, undefined]]);
  expect(await localKeys(page)).not.toContain('tillit_session');
});
