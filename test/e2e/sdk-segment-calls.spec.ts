/**
 * Issue 12, the SDK's Segment call forms, in real Chromium against the real collector: the built
 * dist/tillit.js by a script tag, the snippet's stub included, checked in the collector's store.
 */
import type { Page } from '@playwright/test';
import type { CallResult, Tillit } from '@tillit/sdk';
import { expect, test, tillitPage } from '../support/fixtures.js';

/** Runs fn in the page with the page's `window.tillit`. */
const sdk = <R>(page: Page, fn: (t: Tillit) => R) => page.evaluate(`(${fn})(window.tillit)`) as Promise<Awaited<R>>;

/** The README's snippet: calls made before tillit.js has loaded are queued, then replayed by it. */
const STUB = `<script>
  window.tillit = window.tillit || [];
  for (const m of ['track', 'page', 'screen', 'identify', 'group', 'alias', 'reset', 'ready', 'addSourceMiddleware', 'showPreferences'])
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

/** The same snippet, with a source middleware and analytics.js's other forms queued before tillit.js loads. */
const STUB_WITH_FORMS = STUB.replace(
  "  tillit.identify(42, { plan: 'pro' });\n  tillit.track('Stubbed');",
  `  tillit.addSourceMiddleware(({ payload, next }) => {
    delete payload.obj.traits?.email; // personal data never leaves the page
    if (payload.obj.event === 'Internal') return next(null);
    if (payload.obj.event === 'Broken') return next({ obj: 'not an event' });
    payload.obj.context.site = 'shop';
    next(payload);
  });
  tillit.identify({ email: 'ann@example.com', plan: 'pro' });
  tillit.page('Docs', 'Intro', { section: 2 });
  tillit.group('acme', { employees: 12 });`,
);

test("analytics.js's call forms, group, alias, screen and source middleware: each event stored once, as the forms say", async ({
  page,
  site,
  collector,
}) => {
  site.setPage('/', tillitPage({ collector, banner: false, head: STUB_WITH_FORMS, attributes: { 'auto-page': 'off' } }));
  await page.goto(site.url('/'));
  const results = await sdk(page, async (t) => {
    const called: string[] = [];
    const all = await Promise.all([
      t.track('Order Completed', { revenue: 99.5 }, { context: { app: 'web' } }, (r) => called.push(r.status)),
      t.identify('user-42', { seats: 3 }),
      t.screen('App', 'Cart'),
      t.alias('user-43'),
      t.track('Internal'),
      t.identify(true as never),
      t.track('Broken'),
    ]);
    let ready = false;
    await t.ready(() => (ready = true));
    return { all, called, ready, traits: t.user().traits(), id: t.user().id() };
  });
  expect(results.all.map((r: CallResult) => r.status)).toEqual([
    'queued',
    'queued',
    'queued',
    'queued',
    'dropped',
    'dropped',
    'dropped',
  ]);
  expect(results.all[4].reason).toBe('by source middleware');
  expect(results.all[5].reason).toBe('identify: expected a string or number of 1 to 128 characters, got true');
  expect(results.all[6].reason).toContain('source middleware passed on "not an event" as payload.obj');
  expect(results.called).toEqual(['queued']);
  expect(results.ready).toBe(true);
  expect([results.id, results.traits]).toEqual(['user-42', { email: 'ann@example.com', plan: 'pro', seats: 3 }]);

  await expect.poll(() => collector.count('SELECT count(*) AS n FROM events')).toBe(7);
  const rows = await collector.rows<{ type: string; payload: string }>(
    `SELECT type, payload FROM events ORDER BY ${collector.arrival}`,
  );
  const events = rows.map((r) => JSON.parse(r.payload));
  const identifies = events.filter((e) => e.type === 'identify');
  // The stored traits went through the middleware: the e-mail address stayed in the page.
  expect(identifies.map((e) => [e.userId ?? null, e.traits])).toEqual([
    [null, { plan: 'pro' }],
    ['user-42', { plan: 'pro', seats: 3 }],
  ]);
  expect(JSON.stringify(events)).not.toContain('ann@example.com');
  const others = events.filter((e) => e.type !== 'identify');
  expect(others.map((e) => e.type).sort()).toEqual(['alias', 'group', 'page', 'screen', 'track']);
  const byType = Object.fromEntries(others.map((e) => [e.type, e]));
  expect(byType.track).toMatchObject({ event: 'Order Completed', properties: { revenue: 99.5 } });
  expect(byType.track.userId).toBeUndefined(); // tracked before identify('user-42')
  expect(byType.track.context).toMatchObject({
    app: 'web',
    site: 'shop',
    consent: { purposes: ['analytics', 'marketing', 'personalization'] },
  });
  expect(byType.page).toMatchObject({ category: 'Docs', name: 'Intro', properties: { section: 2 } });
  expect(byType.screen).toMatchObject({ category: 'App', name: 'Cart' });
  expect(byType.group).toMatchObject({ groupId: 'acme', traits: { employees: 12 } });
  expect(byType.alias).toMatchObject({ userId: 'user-43', previousId: 'user-42' });
  // Every event under the one anonymous id, and message ids unique.
  expect(new Set(events.map((e) => e.anonymousId)).size).toBe(1);
  expect(new Set(events.map((e) => e.messageId)).size).toBe(7);
});
