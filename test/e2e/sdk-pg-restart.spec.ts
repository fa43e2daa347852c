/**
 * Issue 16's fault promise for the SDK, in real Chromium: PostgreSQL goes away and comes back while a
 * page tracks events, and every event the SDK tracked is stored exactly once. The collector answers
 * 503 + Retry-After meanwhile and serves again without a restart. It runs on a private PostgreSQL made
 * for this test (the shared server on 5432 is never stopped), so it runs once, in the sqlite project.
 */
import type { Page, Response } from '@playwright/test';
import {
  type PrivatePostgres,
  privatePostgresMissing,
  type RunningCollector,
  startCollector,
  startPrivatePostgres,
} from '@tillit/collector/testing';
import { expect, test, tillitPage, WRITE_KEY } from '../support/fixtures.js';

const EVENTS = 300;
const isBatch = (r: Response) => r.url().endsWith('/v1/batch');

/** Tracks EVENTS events in the page, one every 20 ms (about 6 s: long enough to span the outage), without waiting. */
const startTracking = (page: Page) =>
  page.evaluate((n) => {
    const t = (window as unknown as { tillit: { track(e: string, p: object): void } }).tillit;
    let i = 0;
    const timer = setInterval(() => {
      t.track('Load', { i });
      if (++i === n) clearInterval(timer);
    }, 20);
  }, EVENTS);

test('PostgreSQL stopped and started while the SDK tracks: 503 + Retry-After meanwhile, then every event stored once', async ({
  page,
  site,
  store,
}) => {
  test.skip(store === 'pg', 'brings its own PostgreSQL: run once, in the sqlite project');
  test.skip(Boolean(privatePostgresMissing), `no private PostgreSQL: ${privatePostgresMissing}`);
  test.setTimeout(120_000);
  let postgres: PrivatePostgres | undefined;
  let running: RunningCollector | undefined;
  try {
    postgres = await startPrivatePostgres();
    const config = { sites: [{ name: 'e2e', writeKey: WRITE_KEY, origins: [site.origin] }] };
    running = await startCollector(config, undefined, 'pg', postgres.url);
    const collector = { url: running.url };
    const answers: { status: number; retryAfter: string | null }[] = [];
    const sent = new Map<string, number>(); // messageId → properties.i, as the SDK sent them
    page.on('request', (request) => {
      if (!request.url().endsWith('/v1/batch')) return;
      const body = request.postDataJSON() as { batch: { messageId: string; event?: string; properties?: { i: number } }[] };
      for (const e of body.batch) if (e.event === 'Load') sent.set(e.messageId, e.properties!.i);
    });
    page.on('response', (r) => {
      if (isBatch(r)) answers.push({ status: r.status(), retryAfter: r.headers()['retry-after'] ?? null });
    });
    site.setPage('/', tillitPage({ collector, banner: false, attributes: { 'auto-page': 'off' } }));
    await page.goto(site.url('/'));
    await page.evaluate(() => (window as unknown as { tillit: { consent: { acceptAll(): void } } }).tillit.consent.acceptAll());
    await expect.poll(() => running!.sql.count('SELECT count(*) AS n FROM consent_records')).toBe(1);

    const firstStored = page.waitForResponse((r) => isBatch(r) && r.status() === 200);
    await startTracking(page);
    await firstStored;
    const unavailable = page.waitForResponse((r) => isBatch(r) && r.status() === 503, { timeout: 30_000 });
    await postgres.stop(); // while the page keeps tracking
    await unavailable;
    await postgres.start();

    // The same collector, never restarted, stores everything the SDK queued meanwhile.
    const load = "SELECT count(*) AS n FROM events WHERE event = 'Load'";
    await expect.poll(() => running!.sql.count(load), { timeout: 60_000, intervals: [500] }).toBe(EVENTS);
    const rows = await running.sql.query<{ id: string; i: number; n: number }>(
      `SELECT message_id AS id, min(${running.sql.json('properties.i')}::int) AS i, count(*) AS n FROM events WHERE event = 'Load' GROUP BY message_id`,
    );
    expect(rows.filter((r) => r.n !== 1)).toEqual([]);
    expect(new Set(rows.map((r) => r.i)).size).toBe(EVENTS);
    // Each event the SDK sent under an id is stored under that id (a resend reuses it).
    expect(new Set(sent.keys())).toEqual(new Set(rows.map((r) => r.id)));
    const refused = answers.filter((a) => a.status === 503);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.filter((a) => !a.retryAfter)).toEqual([]);
    expect(answers.filter((a) => a.status !== 200 && a.status !== 503)).toEqual([]);
    expect(answers.at(-1)?.status).toBe(200);
  } finally {
    // The private server goes with its schema: a failed drop (server down after a failure) loses nothing.
    await running?.destroy().catch(() => {});
    postgres?.destroy();
  }
});
