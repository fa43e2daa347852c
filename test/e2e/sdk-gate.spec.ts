/**
 * Issue 3's consent gate, line by line, in real Chromium against the real collector: the built
 * dist/tillit.js loaded by a script tag, checked through network requests, cookies, localStorage,
 * sessionStorage and indexedDB.databases().
 */
import type { Page, Request } from '@playwright/test';
import type { Tillit } from '@tillit/sdk';
import { expect, type TestCollector, type TestSite, test, tillitPage } from '../support/fixtures.js';

type Sdk = Tillit & { showPreferences(): void };
/** Runs fn in the page with the page's `window.tillit`. */
const sdk = <R>(page: Page, fn: (t: Sdk) => R) => page.evaluate(`(${fn})(window.tillit)`) as Promise<Awaited<R>>;

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Everything the page has stored, as a site's visitor could inspect it. */
function storage(page: Page) {
  return page.evaluate(async () => ({
    cookie: document.cookie,
    local: Object.keys(localStorage).sort(),
    session: Object.keys(sessionStorage).sort(),
    databases: (await indexedDB.databases()).map((d) => d.name),
  }));
}

/** Requests from the page to the collector. */
function collectorRequests(page: Page, collector: TestCollector): Request[] {
  const seen: Request[] = [];
  page.on('request', (r) => r.url().startsWith(collector.url) && seen.push(r));
  return seen;
}

/** Events in the page's IndexedDB queue (read with the platform API, not the SDK). */
function queued(page: Page) {
  return page.evaluate(
    () =>
      new Promise<string[]>((resolve, reject) => {
        const open = indexedDB.open('tillit');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('queue')) return resolve([]);
          const all = db.transaction('queue').objectStore('queue').getAll();
          all.onsuccess = () => {
            db.close();
            // A record holds the events one task queued.
            resolve(all.result.flat().map((i: { e: { event?: string; type: string } }) => i.e.event ?? i.e.type));
          };
        };
      }),
  );
}

const count =
  (collector: TestCollector, sql: string, ...params: unknown[]) =>
  () =>
    collector.count(sql, ...params);

/** Opens the SDK's page and accepts everything; resolves once the collector holds the page view. */
async function accepted(page: Page, site: TestSite, collector: TestCollector) {
  site.setPage('/', tillitPage({ collector, banner: false }));
  await page.goto(site.url('/'));
  await sdk(page, (t) => t.consent.acceptAll());
  await expect.poll(count(collector, "SELECT count(*) AS n FROM events WHERE type = 'page'")).toBe(1);
}

test('undecided: nothing is stored, no identifier is made, no request is sent', async ({ page, site, collector }) => {
  site.setPage('/', tillitPage({ collector, banner: false }));
  const requests = collectorRequests(page, collector);
  await page.goto(site.url('/?utm_source=news&utm_campaign=spring'));
  await sdk(page, (t) => {
    t.track('Product Viewed', { sku: 'A1' });
    t.page();
    t.identify('user-1');
  });
  await page.waitForTimeout(3000); // longer than the flush interval
  expect(await sdk(page, (t) => [t.anonymousId(), t.consent.needsDecision()])).toEqual([null, true]);
  expect(await storage(page)).toEqual({ cookie: '', local: [], session: [], databases: [] });
  expect(await page.context().cookies()).toEqual([]);
  expect(requests.map((r) => r.url())).toEqual([]);
});

test('held events are sent when consent arrives on the same page, dropped on unload', async ({ page, site, collector }) => {
  site.setPage('/', tillitPage({ collector, banner: false }));
  await page.goto(site.url('/'));
  await sdk(page, (t) => t.track('Before Unload'));
  await page.reload(); // undecided: the held event dies with the page
  await sdk(page, (t) => {
    t.track('Before Consent');
    return t.consent.acceptAll();
  });
  await expect.poll(count(collector, "SELECT count(*) AS n FROM events WHERE event = 'Before Consent'")).toBe(1);
  expect(await collector.count("SELECT count(*) AS n FROM events WHERE event = 'Before Unload'")).toBe(0);
});

test('refused: only the decision is stored, the refusal is logged without an id, nothing is sent', async ({
  page,
  site,
  collector,
}) => {
  site.setPage('/', tillitPage({ collector, banner: false }));
  const requests = collectorRequests(page, collector);
  await page.goto(site.url('/?utm_source=news'));
  await sdk(page, (t) => {
    t.track('Held');
    return t.consent.rejectAll({ source: 'banner' });
  });
  await expect.poll(count(collector, 'SELECT count(*) AS n FROM consent_records')).toBe(1);
  const [record] = await collector.rows<{ anonymous_id: string | null; source: string; purposes: string }>(
    'SELECT * FROM consent_records',
  );
  expect(record).toMatchObject({ anonymous_id: null, source: 'banner' });
  expect(JSON.parse(record!.purposes)).toEqual({ analytics: false, marketing: false, personalization: false });
  expect(await collector.count('SELECT count(*) AS n FROM subjects')).toBe(0);

  await sdk(page, (t) => t.track('After Refusal'));
  await page.waitForTimeout(2500);
  await page.reload();
  await sdk(page, (t) => t.page());
  await page.waitForTimeout(2500);
  expect(await storage(page)).toEqual({ cookie: '', local: ['tillit_consent'], session: [], databases: [] });
  expect(await sdk(page, (t) => t.anonymousId())).toBeNull();
  expect(requests.map((r) => new URL(r.url()).pathname)).toEqual(['/v1/consent']);
  expect(await collector.count('SELECT count(*) AS n FROM events')).toBe(0);
});

test('granted: an id and a secret are made, the events are queued and sent', async ({ page, site, collector }) => {
  site.setPage('/', tillitPage({ collector, banner: false }));
  const requests = collectorRequests(page, collector);
  await page.goto(site.url('/?utm_source=news&email=ann@example.com'));
  await sdk(page, (t) => t.consent.acceptAll({ source: 'banner' }));
  const id = await sdk(page, (t) => t.anonymousId());
  expect(id).toMatch(V7);
  await sdk(page, (t) => t.track('Product Viewed', { sku: 'A1' }));
  // The script tag's automatic page view, then the track call.
  await expect.poll(count(collector, 'SELECT count(*) AS n FROM events WHERE anonymous_id = ?', id)).toBe(2);

  const [row] = await collector.rows<{ payload: string; message_id: string }>("SELECT * FROM events WHERE type = 'track'");
  const event = JSON.parse(row!.payload);
  expect(row!.message_id).toMatch(V7);
  expect(event.context.consent).toEqual({ purposes: ['analytics', 'marketing', 'personalization'], policyVersion: '2026-11' });
  expect(event.context.page.url).not.toContain('ann@example.com');
  expect(event.context.campaign).toEqual({ source: 'news' });
  // The consent record carried the secret: the collector bound its hash to the id.
  expect(await collector.count('SELECT count(*) AS n FROM subjects WHERE anonymous_id = ?', id)).toBe(1);
  const stored = await storage(page);
  expect(stored).toMatchObject({
    cookie: '',
    local: ['tillit_consent', 'tillit_id', 'tillit_session'],
    session: ['tillit_campaign'],
    databases: ['tillit'],
  });
  const secret = await page.evaluate(() => JSON.parse(localStorage.tillit_id).secret as string);
  expect(secret).toMatch(/^[0-9a-f]{64}$/);

  // text/plain bodies: no CORS preflight, ever.
  const batch = requests.find((r) => r.url().endsWith('/v1/batch'))!;
  expect(await batch.headerValue('content-type')).toBe('text/plain;charset=UTF-8');
  expect(requests.filter((r) => r.method() === 'OPTIONS')).toEqual([]);
  expect(await queued(page)).toEqual([]); // acknowledged, so gone
});

test('a purpose not granted: its events are dropped, never stored', async ({ page, site, collector }) => {
  site.setPage('/', tillitPage({ collector, banner: false }));
  await page.goto(site.url('/'));
  await collector.stop(); // so that anything queued would stay visible in IndexedDB
  await sdk(page, (t) => t.consent.set({ marketing: true }));
  await sdk(page, (t) => t.track('Product Viewed')); // analytics
  await page.waitForTimeout(500);
  expect(await queued(page)).toEqual([]);
  await collector.restart();
  await page.waitForTimeout(2500);
  expect(await collector.count('SELECT count(*) AS n FROM events')).toBe(0);
});

test('withdrawn: queued events of the purpose go at once; withdrawing all deletes id, secret and queue', async ({
  page,
  site,
  collector,
}) => {
  await accepted(page, site, collector);
  await expect.poll(count(collector, 'SELECT count(*) AS n FROM consent_records')).toBe(1);
  const id = await sdk(page, (t) => t.anonymousId());
  await collector.stop();
  await sdk(page, (t) => {
    t.track('One');
    t.track('Two');
  });
  await expect.poll(() => queued(page)).toEqual(['One', 'Two']);

  await sdk(page, (t) => t.consent.set({ marketing: true, personalization: true }));
  await expect.poll(() => queued(page)).toEqual([]);
  await sdk(page, (t) => t.consent.rejectAll());
  await expect.poll(() => storage(page)).toEqual({ cookie: '', local: ['tillit_consent'], session: [], databases: [] });
  expect(await sdk(page, (t) => t.anonymousId())).toBeNull();

  // The withdrawals reach the consent log once the collector is back (records are retried).
  await collector.restart();
  await expect
    .poll(count(collector, 'SELECT count(*) AS n FROM consent_records WHERE anonymous_id = ?', id), { timeout: 20_000 })
    .toBe(3);
  const last = await collector.rows<{ purposes: string }>(
    'SELECT purposes FROM consent_records ORDER BY decided_at DESC LIMIT 1',
  );
  expect(JSON.parse(last[0]!.purposes)).toEqual({ analytics: false, marketing: false, personalization: false });
  expect(await collector.count("SELECT count(*) AS n FROM events WHERE type = 'track'")).toBe(0);
});

test('granted again on the page right after withdrawing everything: the next events arrive, in a new session', async ({
  page,
  site,
  collector,
}) => {
  await accepted(page, site, collector);
  /** The stored events' session fields, by event name or type. */
  const session = async (name: string) => {
    const rows = await collector.rows<{ payload: string }>('SELECT payload FROM events WHERE event = ? OR type = ?', name, name);
    return rows.map((r): [number, boolean?] => {
      const { sessionId, sessionStart } = JSON.parse(r.payload).context;
      return [sessionId, sessionStart];
    });
  };
  const [first] = (await session('page'))[0]!;
  // In one task: the withdrawal's deletion of the queue's database is still running when the next event is queued.
  await sdk(page, async (t) => {
    t.track('Withdrawn');
    await t.consent.rejectAll();
    await t.consent.acceptAll();
    t.track('After');
  });
  await expect.poll(count(collector, "SELECT count(*) AS n FROM events WHERE event = 'After'")).toBe(1);
  const [sessionId, sessionStart] = (await session('After'))[0]!;
  expect(sessionStart).toBe(true);
  expect(sessionId).toBeGreaterThan(first);
  expect(await collector.count("SELECT count(*) AS n FROM events WHERE event = 'Withdrawn'")).toBe(0);
  // Delivered and acknowledged: nothing of it is left in the new database.
  await expect.poll(() => queued(page)).toEqual([]);
});

test('a returning visitor who has decided downloads no banner code', async ({ page, site, collector }) => {
  site.setPage('/', tillitPage({ collector }));
  const banners: string[] = [];
  page.on('request', (r) => r.url().endsWith('/tillit-banner.js') && banners.push(r.url()));
  await page.goto(site.url('/'));
  await expect.poll(() => banners.length).toBe(1); // undecided: the banner is needed
  await sdk(page, (t) => t.consent.rejectAll());
  await page.reload();
  await page.waitForLoadState('networkidle');
  expect(banners).toHaveLength(1);
  // …until the visitor asks for the preferences.
  await sdk(page, (t) => t.showPreferences());
  await expect.poll(() => banners.length).toBe(2);
});
