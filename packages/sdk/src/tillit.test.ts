import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTillit } from './index.js';
import { openChunk } from './chunk.js';
import { createTillit as createCore } from './tillit.js';

import type { TillitConfig } from './types.js';

/** Every request the SDK made to this test's collector (each test has its own host). */
interface Seen {
  path: string;
  body: any;
}
let seen: Seen[] = [];
let host = '';
let n = 0;
let batchAnswer: () => Response | Promise<Response> = () => HttpResponse.json({ accepted: 1, duplicates: 0, rejected: [] });
let consentAnswer: () => Response = () => HttpResponse.json({ receiptId: 'r-1' }, { status: 201 });
let linkStatus = 201;

const server = setupServer(
  http.post('*/v1/subjects/:id/links', async ({ request }) => {
    const url = new URL(request.url);
    if (url.host !== host) return HttpResponse.json({ error: 'unavailable' }, { status: 503 });
    seen.push({
      path: url.pathname,
      body: { ...((await request.json()) as object), auth: request.headers.get('authorization') },
    });
    return HttpResponse.json({}, { status: linkStatus });
  }),
  http.post('*/v1/:kind', async ({ request, params }) => {
    const url = new URL(request.url);
    // Instances left from earlier tests share the storage like other tabs would; they must not
    // take this test's events off the shared queue, so their collector is down.
    if (url.host !== host) return HttpResponse.json({ error: 'unavailable' }, { status: 503, headers: { 'Retry-After': '600' } });
    seen.push({ path: url.pathname, body: JSON.parse(await request.text()) });
    return params.kind === 'batch' ? batchAnswer() : consentAnswer();
  }),
);
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());
afterEach(() => vi.unstubAllGlobals());

beforeEach(() => {
  host = `c${++n}.test`;
  seen = [];
  batchAnswer = () => HttpResponse.json({ accepted: 1, duplicates: 0, rejected: [] });
  consentAnswer = () => HttpResponse.json({ receiptId: `r-${n}` }, { status: 201 });
  linkStatus = 201;
  localStorage.clear();
  sessionStorage.clear();
  // biome-ignore lint/suspicious/noDocumentCookie: clearing what a test wrote
  for (const c of document.cookie.split(';')) document.cookie = `${c.split('=')[0]}=;max-age=0`;
  globalThis.indexedDB = new IDBFactory();
  history.replaceState(null, '', '/');
});

const make = (over: Partial<TillitConfig> = {}) =>
  createTillit({ collectorUrl: `http://${host}/`, writeKey: 'wk', policyVersion: 'v1', batch: { intervalMs: 5 }, ...over });
const batches = () => seen.filter((s) => s.path === '/v1/batch');
const records = () => seen.filter((s) => s.path === '/v1/consent').map((s) => s.body);
const links = () => seen.filter((s) => s.path.endsWith('/links'));
const sentEvents = () => batches().flatMap((b) => b.body.batch);
const databases = async () => (await indexedDB.databases()).map((d) => d.name);
const storedKeys = () => Object.keys(localStorage).sort();
const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

// First in the file: the SDK instances of earlier tests stay alive in this window (like other tabs), and
// one whose flush timer fires asks for the mocked lock too.
it('waits the interval while another tab flushes, rather than asking for the lock again at once', async () => {
  let elsewhere = false; // another tab holds the flush lock
  const request = vi.fn(async (_name: string, _options: unknown, run: (lock: unknown) => unknown) => run(elsewhere ? null : {}));
  Object.defineProperty(navigator, 'locks', { value: { request }, configurable: true });
  try {
    const t = make({ batch: { intervalMs: 60_000 } });
    await t.consent.acceptAll();
    t.track('First');
    await t.flush(); // the queue's database is open now: flushes take the lock
    expect(sentEvents().map((e) => e.event)).toEqual(['First']);
    elsewhere = true;
    request.mockClear();
    for (let i = 0; i < 50; i++) t.track('Waiting', { i }); // a full batch: a flush at once
    await vi.waitFor(() => expect(request).toHaveBeenCalled());
    for (let i = 0; i < 20; i++) await wait(0);
    expect(request).toHaveBeenCalledTimes(1);
    expect(sentEvents().map((e) => e.event)).toEqual(['First']);
  } finally {
    Reflect.deleteProperty(navigator, 'locks');
  }
});

it('undecided: writes nothing, makes no id, sends nothing, and holds track() in memory', async () => {
  const t = make();
  t.track('Viewed');
  t.page();
  t.identify('u1');
  await t.flush();
  await wait(30);
  expect(t.consent.needsDecision()).toBe(true);
  expect(t.consent.get()).toBeNull();
  expect(t.anonymousId()).toBeNull();
  expect(seen).toEqual([]);
  expect(storedKeys()).toEqual([]);
  expect(Object.keys(sessionStorage)).toEqual([]);
  expect(document.cookie).toBe('');
  expect(await databases()).toEqual([]);
});

it('granted: makes a v7 id and a secret, logs the decision with the secret, and sends the held events', async () => {
  const t = make();
  t.track('Viewed', { sku: 'A1' });
  await t.consent.acceptAll({ source: 'banner', textHash: 'a'.repeat(64) });
  const id = t.anonymousId();
  expect(id).toMatch(V7);
  await vi.waitFor(() => expect(sentEvents()).toHaveLength(1));
  const [event] = sentEvents();
  expect(event).toMatchObject({ type: 'track', event: 'Viewed', properties: { sku: 'A1' }, anonymousId: id });
  expect(event.messageId).toMatch(V7);
  expect(event.context.consent).toEqual({ purposes: ['analytics', 'marketing', 'personalization'], policyVersion: 'v1' });
  expect(event.context.library).toEqual({ name: 'tillit', version: '0.0.0-test' });
  // The session starts with the first event queued after consent (the held one), numbered by its start in ms.
  expect(event.context).toMatchObject({ sessionId: expect.any(Number), sessionStart: true });
  expect(batches()[0]!.body).toMatchObject({ writeKey: 'wk', sentAt: expect.any(String) });

  await vi.waitFor(() => expect(records()).toHaveLength(1));
  const [rec] = records();
  expect(rec).toMatchObject({
    writeKey: 'wk',
    anonymousId: id,
    purposes: { analytics: true, marketing: true, personalization: true },
    policyVersion: 'v1',
    source: 'banner',
    textHash: 'a'.repeat(64),
  });
  expect(rec.secret).toMatch(/^[0-9a-f]{64}$/);
  await vi.waitFor(() => expect(t.consent.get()?.receiptId).toBe(`r-${n}`));
  expect(storedKeys()).toEqual(['tillit_consent', 'tillit_id', 'tillit_session']);
  expect(JSON.parse(localStorage.tillit_session)[0]).toBe(event.context.sessionId);
  expect(JSON.parse(localStorage.tillit_id)).toMatchObject({ id, secret: rec.secret, sent: 1 });
  expect(await databases()).toEqual(['tillit']);
});

it('refused: stores only the decision, logs it without an id, and drops the held events', async () => {
  const t = make();
  t.track('Viewed');
  await t.consent.rejectAll({ source: 'banner' });
  await vi.waitFor(() => expect(records()).toHaveLength(1));
  expect(records()[0]).toMatchObject({
    anonymousId: null,
    purposes: { analytics: false, marketing: false, personalization: false },
  });
  expect(records()[0].secret).toBeUndefined();
  t.track('After');
  await t.flush();
  await wait(30);
  expect(batches()).toEqual([]);
  expect(t.anonymousId()).toBeNull();
  expect(t.consent.needsDecision()).toBe(false);
  expect(storedKeys()).toEqual(['tillit_consent']);
  expect(await databases()).toEqual([]);
});

it('drops an event whose purpose is not granted, never storing it', async () => {
  const t = make({ eventPurposes: { 'Ad Clicked': 'marketing' }, debug: true });
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  await t.consent.set({ analytics: true });
  t.track('Ad Clicked');
  t.track('Viewed');
  await vi.waitFor(() => expect(sentEvents().map((e) => e.event)).toEqual(['Viewed']));
  expect(log.mock.calls.some((c) => c[0] === '[tillit]' && String(c[1]).includes('marketing not granted'))).toBe(true);
  log.mockRestore();
});

it('set() ignores a name that is no purpose of the site, saying so in debug mode; acceptAll() names none', async () => {
  const t = make({ debug: true });
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  const ignored = () => log.mock.calls.filter((c) => c[1] === 'unknown purpose ignored:').map((c) => c[2]);
  await t.consent.set({ analytics: true, adverts: true });
  expect(ignored()).toEqual(['adverts']);
  await t.consent.acceptAll();
  expect(ignored()).toEqual(['adverts']);
  log.mockRestore();
  await vi.waitFor(() => expect(records()).toHaveLength(2));
  expect(records()[0].purposes).toEqual({ analytics: true, marketing: false, personalization: false });
});

it('withdrawing a purpose removes its queued events at once; withdrawing all deletes id, secret and queue', async () => {
  batchAnswer = () => HttpResponse.json({ error: 'unavailable' }, { status: 503, headers: { 'Retry-After': '60' } });
  const t = make({ eventPurposes: { 'Ad Clicked': 'marketing' } });
  await t.consent.acceptAll();
  const id = t.anonymousId();
  t.track('Ad Clicked');
  t.track('Viewed');
  await vi.waitFor(() => expect(batches().length).toBeGreaterThan(0));
  await t.consent.set({ analytics: true, personalization: true });
  await wait(20);
  batchAnswer = () => HttpResponse.json({ accepted: 1, duplicates: 0, rejected: [] });
  seen = [];
  await t.flush();
  expect(sentEvents().map((e) => e.event)).toEqual(['Viewed']);

  t.track('Viewed again');
  await t.consent.rejectAll();
  await vi.waitFor(() => expect(records().at(-1)).toMatchObject({ anonymousId: id, purposes: { analytics: false } }));
  expect(t.anonymousId()).toBeNull();
  expect(storedKeys()).toEqual(['tillit_consent']);
  await vi.waitFor(async () => expect(await databases()).toEqual([]));
});

it('keeps events queued through 5xx and sends them once the collector answers', async () => {
  let fail = 2;
  batchAnswer = () =>
    fail-- > 0
      ? HttpResponse.json({ error: 'x' }, { status: 500 })
      : HttpResponse.json({ accepted: 1, duplicates: 0, rejected: [] });
  const t = make();
  await t.consent.acceptAll();
  t.track('Viewed');
  await t.flush();
  await t.flush();
  await t.flush();
  expect(sentEvents().map((e) => e.event)).toEqual(['Viewed', 'Viewed', 'Viewed']);
  seen = [];
  await t.flush();
  expect(batches()).toEqual([]); // acknowledged: gone from the queue
});

/** The requests' bodies (all ASCII here: characters are bytes). */
const bodyBytes = () => batches().map((b) => JSON.stringify(b.body).length);

it('sends many waiting events in requests of up to 64 KB, not of batch.size, each event once', async () => {
  const t = make({ batch: { intervalMs: 60_000 } });
  await t.consent.acceptAll();
  for (let i = 0; i < 1000; i++) t.track('Burst', { i });
  await t.flush();
  await vi.waitFor(() => expect(sentEvents().filter((e) => e.event === 'Burst')).toHaveLength(1000));
  const sizes = batches().map((b) => b.body.batch.length);
  // Full requests, all alike (the events are), each far more than batch.size's 30 events and within 64 KB.
  expect(new Set(sizes.slice(0, -1)).size).toBe(1);
  expect(sizes[0]).toBeGreaterThan(100);
  expect(Math.max(...bodyBytes())).toBeLessThanOrEqual(65_536);
  expect(Math.max(...bodyBytes())).toBeGreaterThan(65_536 - 1000);
  expect(new Set(sentEvents().map((e) => e.messageId)).size).toBe(sentEvents().length);
});

it('opens the queue at the decision that grants, not under the first events (a flush at once, not after the interval)', async () => {
  const t = make({ batch: { intervalMs: 60_000 } });
  t.track('Held'); // undecided: in memory only
  expect(await databases()).toEqual([]);
  await t.consent.acceptAll();
  await vi.waitFor(async () => expect(sentEvents().map((e) => e.event)).toEqual(['Held']));
  expect(await databases()).toEqual(['tillit']);
});

it('sends what the page queues during a flush within it, without reading the queue again, each event once', async () => {
  const t = make({ batch: { intervalMs: 60_000 } });
  await t.consent.acceptAll();
  let tracking = true;
  batchAnswer = () => {
    if (tracking) {
      tracking = false;
      for (let i = 0; i < 600; i++) t.track('During', { i }); // while the first request is in flight
    }
    return HttpResponse.json({ accepted: 1, duplicates: 0, rejected: [] });
  };
  for (let i = 0; i < 1000; i++) t.track('Before', { i });
  // Reads of each database (earlier tests' instances have their own, and may read theirs meanwhile).
  const reads = new Map<IDBDatabase, number>();
  const getAll = IDBObjectStore.prototype.getAll;
  const spy = vi.spyOn(IDBObjectStore.prototype, 'getAll').mockImplementation(function (this: IDBObjectStore, ...a) {
    reads.set(this.transaction.db, (reads.get(this.transaction.db) ?? 0) + 1);
    return getAll.apply(this, a);
  });
  await t.flush();
  spy.mockRestore();
  expect(Math.max(...reads.values())).toBe(1); // once a flush, not once a batch
  const ids = sentEvents().map((e) => e.messageId);
  expect(new Set(ids).size).toBe(ids.length);
  expect(sentEvents().filter((e) => e.event === 'Before')).toHaveLength(1000);
  expect(sentEvents().filter((e) => e.event === 'During')).toHaveLength(600);
  expect(batches().reduce((n, b) => n + b.body.batch.length, 0)).toBe(1600);
  expect(Math.max(...bodyBytes())).toBeLessThanOrEqual(65_536);
  expect(await databases()).toEqual(['tillit']);
});

it('events queued before a reload are sent by the next page', async () => {
  batchAnswer = () => HttpResponse.error();
  const first = make();
  await first.consent.acceptAll();
  first.track('Before reload');
  await first.flush();
  batchAnswer = () => HttpResponse.json({ accepted: 1, duplicates: 0, rejected: [] });
  seen = [];
  const second = make();
  expect(second.anonymousId()).toBe(first.anonymousId());
  // The first page lives on here (another tab) and may retry the same event meanwhile: the collector dedups by messageId.
  await vi.waitFor(() => expect([...new Set(sentEvents().map((e) => `${e.event} ${e.messageId}`))]).toHaveLength(1));
  expect(sentEvents()[0].event).toBe('Before reload');
});

it('treats an expired decision or a new policy version as undecided', async () => {
  await make().consent.rejectAll();
  expect(make().consent.needsDecision()).toBe(false);
  expect(make({ policyVersion: 'v2' }).consent.needsDecision()).toBe(true);
  const stored = JSON.parse(localStorage.tillit_consent);
  localStorage.tillit_consent = JSON.stringify({ ...stored, decidedAt: new Date(Date.now() - 11 * 864e5).toISOString() });
  expect(make({ consentMaxAgeDays: 10 }).consent.needsDecision()).toBe(true);
  expect(make({ consentMaxAgeDays: 12 }).consent.needsDecision()).toBe(false);
});

it('applies a decision made in another tab without a reload', async () => {
  const t = make();
  const changes: unknown[] = [];
  t.consent.onChange((d) => changes.push(d?.purposes));
  t.track('Held');
  // Another tab stores its decision (and the identity first).
  localStorage.tillit_id = JSON.stringify({ id: '0190a3b4-0000-7000-8000-000000000001', secret: 's'.repeat(43), sent: 1 });
  const decision = {
    purposes: { analytics: true, marketing: false, personalization: false },
    policyVersion: 'v1',
    source: 'banner',
    decidedAt: new Date().toISOString(),
  };
  localStorage.tillit_consent = JSON.stringify(decision);
  dispatchEvent(new StorageEvent('storage', { key: 'tillit_consent', newValue: localStorage.tillit_consent }));
  // Applied by the privacy chunk (decisions.ts), once it has loaded.
  await vi.waitFor(() => expect(changes).toEqual([decision.purposes]));
  expect(t.consent.isGranted('analytics')).toBe(true);
  expect(t.anonymousId()).toBe('0190a3b4-0000-7000-8000-000000000001');
  await vi.waitFor(() => expect(sentEvents().filter((e) => e.event === 'Held')).toHaveLength(1));
  expect(records()).toEqual([]); // the other tab logged it
});

it('with Global Privacy Control, records the GPC refusal and still asks about the rest', async () => {
  vi.stubGlobal('navigator', Object.assign(Object.create(navigator), { globalPrivacyControl: true }));
  const t = make();
  await vi.waitFor(() => expect(records()).toHaveLength(1));
  expect(records()[0]).toMatchObject({ source: 'gpc', anonymousId: null, purposes: { marketing: false } });
  expect(t.consent.isGranted('marketing')).toBe(false);
  expect(t.consent.needsDecision()).toBe(true);
  await t.consent.acceptAll({ source: 'banner' });
  expect(t.consent.isGranted('analytics')).toBe(true);
  expect(t.consent.isGranted('marketing')).toBe(false); // accept all does not override GPC
  await t.consent.set({ analytics: true, marketing: true }, { source: 'banner' });
  expect(t.consent.isGranted('marketing')).toBe(true); // an explicit choice does
});

it('removes denylisted parameters and e-mails from URLs, and keeps the campaign for the session after consent', async () => {
  history.replaceState(null, '', '/p?utm_source=news&utm_campaign=spring&token=abc&ref=ann@example.com&sku=1');
  const t = make();
  t.page();
  expect(Object.keys(sessionStorage)).toEqual([]);
  await t.consent.acceptAll();
  await vi.waitFor(() => expect(sentEvents()).toHaveLength(1));
  const { page, campaign } = sentEvents()[0].context;
  expect(page.url).toMatch(/\/p\?utm_source=news&utm_campaign=spring&sku=1$/);
  expect(page.search).toBe('?utm_source=news&utm_campaign=spring&sku=1');
  expect(campaign).toEqual({ source: 'news', name: 'spring' });
  expect(JSON.parse(sessionStorage.tillit_campaign)).toEqual(campaign);
  // Not /abc/: random hex ids contain it now and then.
  expect(JSON.stringify(sentEvents())).not.toMatch(/token|=abc|ann@example/);
});

it('retries a consent record until the collector acknowledges it', async () => {
  let fail = 1;
  consentAnswer = () =>
    fail-- > 0 ? HttpResponse.json({}, { status: 503 }) : HttpResponse.json({ receiptId: 'late' }, { status: 201 });
  const t = make();
  await t.consent.acceptAll();
  expect(JSON.parse(localStorage.tillit_consent).record).toBeTruthy(); // kept until acknowledged
  await vi.waitFor(() => expect(t.consent.get()?.receiptId).toBe('late'), { timeout: 5000 });
  expect(records()).toHaveLength(2);
  expect(records()[1].secret).toBe(records()[0].secret);
  // The same decision under the same id, so the collector stores it once.
  expect(records()[0].recordId).toMatch(V7);
  expect(records()[1].recordId).toBe(records()[0].recordId);
  expect(JSON.parse(localStorage.tillit_consent).record).toBeUndefined();
});

it('links a user id after identify and forgets it on reset', async () => {
  const t = make();
  await t.consent.acceptAll();
  t.identify('user-7', { plan: 'pro' });
  t.track('A');
  t.reset();
  t.track('B');
  await vi.waitFor(() => expect(sentEvents()).toHaveLength(3));
  expect(sentEvents().map((e) => [e.type, e.userId])).toEqual([
    ['identify', 'user-7'],
    ['track', 'user-7'],
    ['track', undefined],
  ]);
  expect(t.anonymousId()).toBeTruthy();
});

it('identify() takes a number as its string (Segment does), so the collector accepts every later event', async () => {
  const t = make();
  await t.consent.acceptAll();
  t.identify(42, { plan: 'pro' });
  t.track('A');
  await vi.waitFor(() => expect(sentEvents()).toHaveLength(2));
  expect(sentEvents().map((e) => [e.type, e.userId])).toEqual([
    ['identify', '42'],
    ['track', '42'],
  ]);
  expect(JSON.parse(localStorage.tillit_id).userId).toBe('42');
});

it('never throws into the page', async () => {
  localStorage.tillit_consent = 'not json';
  const t = make();
  expect(t.consent.needsDecision()).toBe(true); // an unreadable decision counts as none
  await t.consent.acceptAll();
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  const circular: Record<string, unknown> = {};
  circular.self = circular;
  // Granted, so the event is serialized for the queue: JSON.stringify throws inside track().
  expect(() => t.track('X', circular)).not.toThrow();
  expect(warn).toHaveBeenCalledWith('[tillit] internal error:', expect.any(TypeError));
  warn.mockRestore();
});

it('writes the decision to a first-party cookie only when configured', async () => {
  await make().consent.rejectAll();
  expect(document.cookie).toBe('');
  const t = make({ consentCookie: true });
  await t.consent.acceptAll();
  // Written by the privacy chunk, loaded for it (cookies.ts).
  await vi.waitFor(() => expect(document.cookie).toContain('tillit_consent='));
  const value = /tillit_consent=([^;]*)/.exec(document.cookie)?.[1];
  expect(JSON.parse(decodeURIComponent(value!))).toMatchObject({ policyVersion: 'v1', purposes: { analytics: true } });
  // The receipt rewrites the cookie: let it land in this test, not in the next one's cookie jar.
  await vi.waitFor(() => expect(t.consent.get()?.receiptId).toBeDefined());
});

it('sends page views on history navigation when autoPageViews is on', async () => {
  const t = make({ autoPageViews: true });
  await t.consent.acceptAll();
  await wait(5);
  history.pushState(null, '', '/products');
  await wait(5);
  history.pushState(null, '', '/products'); // same page: no second view
  await wait(5);
  history.pushState(null, '', '/redirect');
  history.replaceState(null, '', '/cart'); // an immediate redirect counts once, as where it ends
  await vi.waitFor(() => expect(sentEvents().map((e) => e.context.page.path)).toEqual(['/', '/products', '/cart']));
  expect(sentEvents().every((e) => e.type === 'page')).toBe(true);
});

it('keeps the page’s unsent events in localStorage at pagehide, for the next page', async () => {
  batchAnswer = () => HttpResponse.error();
  const first = make({ batch: { intervalMs: 60_000 } });
  await first.consent.acceptAll();
  first.track('Leaving');
  dispatchEvent(new Event('pagehide'));
  expect(JSON.parse(localStorage.tillit_unsent).map((i: { e: { event: string } }) => i.e.event)).toEqual(['Leaving']);
  globalThis.indexedDB = new IDBFactory(); // the IndexedDB write did not survive the page
  batchAnswer = () => HttpResponse.json({ accepted: 1, duplicates: 0, rejected: [] });
  seen = [];
  const next = make();
  expect(localStorage.tillit_unsent).toBeUndefined();
  await vi.waitFor(() => expect(sentEvents().some((e) => e.event === 'Leaving')).toBe(true));
  // The page's beacon may have arrived too: one message either way, which the collector deduplicates.
  expect(new Set(sentEvents().map((e) => e.messageId)).size).toBe(1);
  await next.consent.rejectAll();
  expect(storedKeys()).toEqual(['tillit_consent']);
});

it('at pagehide copies to localStorage only the events not yet written to IndexedDB, and sends the page’s events', async () => {
  batchAnswer = () => HttpResponse.json({ error: 'unavailable' }, { status: 503 });
  const t = make({ batch: { intervalMs: 60_000 } });
  await t.consent.acceptAll();
  t.track('Written');
  await t.flush(); // the flush reads the queue after the write: the event is in IndexedDB
  seen = [];
  t.track('In flight');
  dispatchEvent(new Event('pagehide'));
  expect(JSON.parse(localStorage.tillit_unsent).map((i: { e: { event: string } }) => i.e.event)).toEqual(['In flight']);
  await vi.waitFor(() => expect(sentEvents().map((e) => e.event)).toEqual(['Written', 'In flight']));
  await t.consent.rejectAll();
});

it('gives every decision its own record id, and the next page resends a pending record under it', async () => {
  consentAnswer = () => HttpResponse.json({}, { status: 503 });
  // Storage of its own: instances left from earlier tests write to the shared localStorage.
  const store = new Map<string, string>();
  const storage = {
    getItem: (k: string) => store.get(k) ?? null,
    setItem: store.set.bind(store),
    removeItem: store.delete.bind(store),
  };
  const t = make({ storage: storage as never });
  await t.consent.acceptAll();
  await t.consent.rejectAll();
  await vi.waitFor(() => expect(records().length).toBeGreaterThanOrEqual(2));
  const [first, second] = records();
  expect(first.recordId).toMatch(V7);
  expect(second.recordId).not.toBe(first.recordId);
  const pending = JSON.parse(store.get('tillit_consent')!).record.recordId;
  expect(pending).toBe(second.recordId);
  consentAnswer = () => HttpResponse.json({ receiptId: 'r' }, { status: 201 });
  seen = [];
  const next = make({ storage: storage as never }); // the next page
  await vi.waitFor(() => expect(next.consent.get()?.receiptId).toBe('r'));
  expect(records().map((r) => r.recordId)).toContain(pending);
});

it('a decision is made in the privacy chunk: while it fails to load nothing is stored (the visitor is asked again), and once it loads the record goes', async () => {
  const store = new Map<string, string>();
  const storage = {
    getItem: (k: string) => store.get(k) ?? null,
    setItem: store.set.bind(store),
    removeItem: store.delete.bind(store),
  };
  const config = { collectorUrl: `http://${host}/`, writeKey: 'wk', policyVersion: 'v1', storage: storage as never };
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  const offline = createCore(config, async () => {
    throw new Error('[tillit] failed to load tillit-privacy.js');
  });
  offline.track('Held');
  await offline.consent.acceptAll(); // resolves: never rejects into the page
  expect(warn).toHaveBeenCalledWith(
    '[tillit] internal error:',
    expect.objectContaining({ message: expect.stringContaining('failed to load') }),
  );
  warn.mockRestore();
  expect(offline.consent.needsDecision()).toBe(true);
  expect([...store.keys()]).toEqual([]); // no decision, no id: nothing granted
  const next = createCore(config, async () => openChunk); // the next page, online
  await next.consent.acceptAll();
  await vi.waitFor(() => expect(next.consent.get()?.receiptId).toBe(`r-${n}`));
  expect(records()).toHaveLength(1);
  expect(records()[0].secret).toBeTruthy(); // the first record of this identity carries its secret
  expect(JSON.parse(store.get('tillit_id')!).sent).toBe(1);
});

it('loads the privacy client once: while a decision is due (it sends the record), else on first use; asks nothing before consent', async () => {
  const loads: string[] = [];
  const client = vi.fn(async () => ({ confirmation: true }));
  const loader = async () => {
    loads.push('privacy');
    return ((s: Parameters<typeof openChunk>[0]) => ({
      ...openChunk(s),
      access: client,
      export: client,
      erase: client,
      portalUrl: client,
    })) as unknown as typeof openChunk;
  };
  const t = createCore({ collectorUrl: `http://${host}/`, writeKey: 'wk', policyVersion: 'v1' }, loader);
  // Loaded at once while a decision is due, so that a record sent at the decision starts then, not
  // after a script load that leaving the page at once would cut.
  expect(loads).toEqual(['privacy']);
  expect(await t.privacy.portalUrl()).toBeNull();
  await expect(t.privacy.access()).rejects.toThrow('[tillit] no identifier');
  expect(client).not.toHaveBeenCalled(); // nothing asked before consent
  await t.consent.acceptAll();
  expect(await t.privacy.access()).toEqual({ confirmation: true });
  await t.privacy.export('csv');
  expect(loads).toEqual(['privacy']);
  expect(client.mock.calls).toEqual([[], ['csv']]);
  await vi.waitFor(() => expect(t.consent.get()?.receiptId).toBeDefined());
  // The next page, decided and acknowledged: nothing loaded until first use.
  loads.length = 0;
  const next = createCore({ collectorUrl: `http://${host}/`, writeKey: 'wk', policyVersion: 'v1' }, loader);
  expect(next.consent.needsDecision()).toBe(false);
  expect(loads).toEqual([]);
  await next.privacy.access();
  expect(loads).toEqual(['privacy']);
});

it('tries to load the privacy chunk again after a failed load', async () => {
  let fail = true;
  const t = createCore({ collectorUrl: `http://${host}/`, writeKey: 'wk', policyVersion: 'v1' }, async () => {
    if (fail) throw new Error('[tillit] failed to load tillit-privacy.js');
    return ((s) => ({ ...openChunk(s), access: async () => 'ok' })) as typeof openChunk;
  });
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  await t.consent.acceptAll();
  warn.mockRestore();
  expect(t.consent.needsDecision()).toBe(true);
  fail = false;
  await t.consent.acceptAll();
  expect(t.consent.needsDecision()).toBe(false);
  expect(await t.privacy.access()).toBe('ok');
  // Acknowledged within this test: a late receipt would store this page's decision in the next test's storage.
  await vi.waitFor(() => expect(t.consent.get()?.receiptId).toBeDefined());
});

// happy-dom's cookie jar does not tell a domain cookie from a host-only one, so this cannot catch a
// deletion without the domain; Chromium does.
it('erasure deletes the decision cookie and the session', async () => {
  const t = createCore(
    { collectorUrl: `http://${host}/`, writeKey: 'wk', policyVersion: 'v1', consentCookie: { domain: location.hostname } },
    async () => (s) => {
      const chunk = openChunk(s);
      return {
        ...chunk,
        erase: async () => {
          await chunk.forget_();
          return { receiptId: 'r' };
        },
      };
    },
  );
  await t.consent.acceptAll();
  localStorage.tillit_session = '[1,1]'; // as an event would leave it (one queued here outlives the test)
  await vi.waitFor(() => expect(document.cookie).toContain('tillit_consent='));
  await t.privacy.erase();
  await vi.waitFor(() => expect(document.cookie).not.toContain('tillit_consent='));
  expect(storedKeys()).toEqual([]);
  expect(make({ consentCookie: true }).consent.get()).toBeNull();
});

it('scrubs e-mail addresses from the page title, and cuts it to 1024 characters', async () => {
  const title = document.title;
  document.title = `Order for ann.lee@example.com ${'x'.repeat(2000)}`;
  const t = make();
  await t.consent.acceptAll();
  t.page();
  document.title = title;
  await vi.waitFor(() => expect(sentEvents()).toHaveLength(1));
  expect(sentEvents()[0].context.page.title).toBe(`Order for  ${'x'.repeat(1013)}`);
});

it("drops an event over the collector's 32 KB before it is queued, and only that one", async () => {
  const t = make({ debug: true });
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  await t.consent.acceptAll();
  t.track('Big', { text: 'x'.repeat(40_000) });
  t.track('Small', { text: 'x'.repeat(1000) });
  await vi.waitFor(() => expect(sentEvents().map((e) => e.event)).toEqual(['Small']));
  expect(log.mock.calls.some((c) => String(c[1]).includes('over 32768 bytes'))).toBe(true);
  log.mockRestore();
});

it('cleans a long URL once per navigation, not once per event', async () => {
  history.replaceState(null, '', `/p/${'a'.repeat(100_000)}?email=ann@example.com`);
  const t = make();
  await t.consent.acceptAll();
  const cost = (name: string) => {
    const start = performance.now();
    t.track(name);
    return performance.now() - start;
  };
  const first = cost('First'); // cleans the URL: a pass over 100 KB
  const later = Math.min(...Array.from({ length: 5 }, (_, i) => cost(`Later ${i}`)));
  expect(later).toBeLessThan(first / 5);
  history.pushState(null, '', '/next');
  t.track('Next');
  await vi.waitFor(() => expect(sentEvents()).toHaveLength(7));
  const [firstSent] = sentEvents();
  // Cut to the wire format's 4096 characters, path and search too.
  expect(firstSent.context.page.url).toMatch(/^http:\/\/[^/]+\/p\/a+$/);
  expect(firstSent.context.page.url).toHaveLength(4096);
  expect(firstSent.context.page.path.length).toBeLessThan(4096);
  expect(sentEvents().at(-1).context.page.path).toBe('/next');
});

it('after identify() with a site token and consent, proves the link once per user id, and retries on the next page', async () => {
  linkStatus = 503;
  const t = make();
  await t.consent.acceptAll();
  t.identify('u-1', {}, { userToken: 'token-1' });
  // Sent once the collector holds the secret (the consent record's receipt), not before.
  await vi.waitFor(() => expect(links()).toHaveLength(1));
  const { id, secret } = JSON.parse(localStorage.tillit_id);
  expect(links()[0]).toEqual({
    path: `/v1/subjects/${id}/links`,
    body: { userId: 'u-1', userToken: 'token-1', auth: `Bearer ${secret}` },
  });
  await wait(30);
  expect(JSON.parse(localStorage.tillit_id)).toMatchObject({ userToken: 'token-1' }); // kept for a retry

  linkStatus = 201;
  const next = make(); // the next page
  await vi.waitFor(() => expect(JSON.parse(localStorage.tillit_id).linked).toBe('u-1'));
  expect(JSON.parse(localStorage.tillit_id).userToken).toBeUndefined();
  next.identify('u-1', {}, { userToken: 'token-1b' }); // proven: never again for this pair
  t.identify('u-1');
  make();
  await wait(30);
  expect(links()).toHaveLength(2);
  next.identify('u-2', {}, { userToken: 'token-2' });
  await vi.waitFor(() => expect(JSON.parse(localStorage.tillit_id).linked).toBe('u-2'));
  expect(links().map((l) => l.body.userId)).toEqual(['u-1', 'u-1', 'u-2']);
});

it('proves no link without consent, and none without a site token', async () => {
  const t = make();
  t.identify('u-1', {}, { userToken: 'token-1' });
  await t.consent.rejectAll();
  t.identify('u-2', {}, { userToken: 'token-2' });
  const other = make({ storage: undefined });
  await other.consent.acceptAll();
  other.identify('u-3');
  await wait(50);
  expect(links()).toEqual([]);
});

it('continues a session across SDK instances (tabs, pages) and starts a new one after the timeout', async () => {
  vi.useFakeTimers({ toFake: ['Date'], now: Date.UTC(2026, 11, 2, 12) });
  try {
    const first = make({ sessionTimeoutMs: 60_000 });
    await first.consent.acceptAll();
    first.track('A');
    vi.advanceTimersByTime(59_000);
    make({ sessionTimeoutMs: 60_000 }).track('B'); // another tab
    vi.advanceTimersByTime(60_000);
    first.track('C');
  } finally {
    vi.useRealTimers();
  }
  // Both instances read the one queue, so an event may go twice (the collector dedups by messageId).
  const once = () => [...new Map(sentEvents().map((e) => [e.messageId, e])).values()];
  await vi.waitFor(() => expect(once()).toHaveLength(3));
  const start = Date.UTC(2026, 11, 2, 12);
  const sessions = once().map((e) => [e.event, e.context.sessionId, e.context.sessionStart]);
  expect(sessions.sort()).toEqual([
    ['A', start, true],
    ['B', start, undefined],
    ['C', start + 119_000, true],
  ]);
});

it('a flush while nothing is granted sends nothing, and delivery works once something is', async () => {
  const t = make();
  await t.flush();
  await t.consent.acceptAll();
  t.track('After');
  await vi.waitFor(() => expect(sentEvents().map((e) => e.event)).toEqual(['After']));
});

it('after a withdrawal of everything and a new grant on the same page: sends again, in a new session (even within the second the page keeps its session in memory)', async () => {
  const start = Date.UTC(2026, 11, 2, 12);
  vi.useFakeTimers({ toFake: ['Date'], now: start });
  const t = make();
  try {
    await t.consent.acceptAll();
    t.track('A'); // withdrawn with its purpose below: never sent
    vi.advanceTimersByTime(10);
    await t.consent.rejectAll();
    await t.consent.acceptAll();
    t.track('B');
  } finally {
    vi.useRealTimers();
  }
  await vi.waitFor(() => expect(sentEvents()).toHaveLength(1));
  expect(sentEvents()[0]).toMatchObject({ event: 'B', context: { sessionId: start + 10, sessionStart: true } });
});

it('sends no session fields with sessions off', async () => {
  const t = make({ sessionTimeoutMs: 0 });
  await t.consent.acceptAll();
  t.track('A');
  await vi.waitFor(() => expect(sentEvents()).toHaveLength(1));
  expect(sentEvents()[0].context).not.toHaveProperty('sessionId');
  expect(storedKeys()).not.toContain('tillit_session');
});

it('setAnonymousId: refused before consent and for a bad id, naming it; after consent events carry the adopted id', async () => {
  const t = make();
  await expect(t.setAnonymousId('handed-over')).rejects.toThrow('[tillit] no identifier: nothing granted');
  expect(storedKeys()).toEqual([]);
  await t.consent.acceptAll();
  const own = t.anonymousId();
  for (const bad of [42, '', 'x'.repeat(129), null])
    await expect(t.setAnonymousId(bad as never)).rejects.toThrow(
      `[tillit] setAnonymousId: expected a string of 1 to 128 characters, got ${JSON.stringify(bad)}`,
    );
  expect(t.anonymousId()).toBe(own);
  await t.setAnonymousId('handed-over');
  expect(t.anonymousId()).toBe('handed-over');
  expect(JSON.parse(localStorage.tillit_id).id).toBe('handed-over');
  t.track('After');
  await vi.waitFor(() => expect(sentEvents().map((e) => [e.event, e.anonymousId])).toEqual([['After', 'handed-over']]));
});

describe("analytics.js's call forms (issue 12)", () => {
  it('takes the optional arguments out, a callback in any place, and options.context (never over the consent proof)', async () => {
    const t = make();
    await t.consent.acceptAll();
    const called: unknown[] = [];
    const results = await Promise.all([
      t.track('A', { n: 1 }, { context: { app: 'web', consent: { purposes: ['forged'] } } }, (r) => called.push(r.status)),
      t.track('B', (r) => called.push(r.status)),
      t.page('Docs', 'Intro', { section: 2 }),
      t.page('Pricing'),
      t.page({ variant: 'b' }),
      t.screen('Home'),
      t.identify({ plan: 'pro' }),
      t.identify(42, { seats: 3 }, (r) => called.push(r.event?.userId)),
    ]);
    expect(results.map((r) => r.status)).toEqual(Array(8).fill('queued'));
    expect(called.sort()).toEqual(['42', 'queued', 'queued']);
    await vi.waitFor(() => expect(sentEvents()).toHaveLength(8));
    // screen() is made in the privacy chunk, so it may come later.
    const [a, b, docs, pricing, variant, traitsOnly, user42] = sentEvents().filter((e) => e.type !== 'screen');
    const home = sentEvents().find((e) => e.type === 'screen');
    expect([a.event, a.properties, a.context.app, a.context.consent.purposes]).toEqual([
      'A',
      { n: 1 },
      'web',
      ['analytics', 'marketing', 'personalization'],
    ]);
    expect([b.event, b.properties]).toEqual(['B', undefined]);
    expect([docs.category, docs.name, docs.properties]).toEqual(['Docs', 'Intro', { section: 2 }]);
    expect([pricing.category, pricing.name]).toEqual([undefined, 'Pricing']);
    expect([variant.name, variant.properties]).toEqual([undefined, { variant: 'b' }]);
    expect([home.type, home.name]).toEqual(['screen', 'Home']);
    // Traits only: the (anonymous) user's traits; then a user id, whose traits merge over them (there was no id before).
    expect([traitsOnly.type, traitsOnly.userId, traitsOnly.traits]).toEqual(['identify', undefined, { plan: 'pro' }]);
    expect([user42.userId, user42.traits]).toEqual(['42', { plan: 'pro', seats: 3 }]);
  });

  it('refuses an id or name of the wrong kind, naming it, and records nothing of that call; the next calls go on', async () => {
    const t = make({ debug: true });
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    await t.consent.acceptAll();
    const refused = await Promise.all([
      t.identify(true as never),
      t.identify('x'.repeat(129)),
      t.identify(''),
      t.track(undefined as never),
      t.track({ event: 'A' } as never),
      t.alias(undefined as never),
      t.group(false as never),
    ]);
    expect(refused.map((r) => [r.status, r.event])).toEqual(Array(7).fill(['dropped', undefined]));
    expect(refused[0].reason).toBe('identify: expected a string or number of 1 to 128 characters, got true');
    expect(refused[1].reason).toMatch(/^identify: expected a string or number of 1 to 128 characters, got "x{129}"$/);
    expect(refused[3].reason).toBe('track: needs an event name');
    expect(refused[5].reason).toBe('alias: needs a user id');
    expect(log).toHaveBeenCalledWith('[tillit]', refused[0].reason);
    log.mockRestore();
    expect(t.user().id()).toBeNull(); // no bad id kept to make the collector refuse every later event
    t.track('After');
    await vi.waitFor(() => expect(sentEvents().map((e) => [e.type, e.event, e.userId])).toEqual([['track', 'After', undefined]]));
  });

  it('resolves to held, queued or dropped (with why), and calls the callback with the same', async () => {
    const t = make({ eventPurposes: { Ad: 'marketing' } });
    const held = await t.track('Early');
    expect([held.status, held.event?.event]).toEqual(['held', 'Early']);
    await t.consent.set({ analytics: true, marketing: false });
    let fromCallback: unknown;
    const dropped = await t.track('Ad', {}, {}, (r) => (fromCallback = r));
    expect([dropped.status, dropped.reason]).toEqual(['dropped', 'marketing not granted']);
    expect(fromCallback).toBe(dropped);
    const queued = await t.track('Late');
    expect(queued.status).toBe('queued');
    await vi.waitFor(() => expect(sentEvents().map((e) => e.event)).toEqual(['Early', 'Late']));
    expect(sentEvents()[1].messageId).toBe(queued.event?.messageId);
  });

  it('keeps traits and group in memory until consent, then in the stored identity; a new user starts afresh; reset() forgets them', async () => {
    const t = make();
    t.identify('u-1', { plan: 'pro' });
    t.group('acme', { size: 10 });
    expect(storedKeys()).toEqual([]); // nothing stored before consent
    expect([t.user().id(), t.user().traits(), t.user().anonymousId()]).toEqual(['u-1', { plan: 'pro' }, null]);
    await t.consent.acceptAll();
    expect(JSON.parse(localStorage.tillit_id)).toMatchObject({
      userId: 'u-1',
      traits: { plan: 'pro' },
      groupId: 'acme',
      groupTraits: { size: 10 },
    });
    const next = make(); // the next page
    expect([next.user().id(), next.user().traits(), next.user().anonymousId()]).toEqual([
      'u-1',
      { plan: 'pro' },
      t.anonymousId(),
    ]);
    await next.identify({ email: 'ann@example.com' });
    await next.group({ tier: 'gold' });
    expect(next.user().traits()).toEqual({ plan: 'pro', email: 'ann@example.com' });
    await next.identify('u-2', { plan: 'free' });
    expect(next.user().traits()).toEqual({ plan: 'free' });
    next.reset();
    expect([next.user().id(), next.user().traits()]).toEqual([null, {}]);
    expect(JSON.parse(localStorage.tillit_id)).not.toHaveProperty('groupId');
    // Both pages (tabs) may send the first two (no Web Locks here): the collector keeps one of each message id.
    const stored = () => [...new Map(sentEvents().map((e) => [e.messageId, e])).values()];
    await vi.waitFor(() => expect(stored()).toHaveLength(5));
    expect(stored().map((e) => [e.type, e.userId, e.groupId, e.traits])).toEqual([
      ['identify', 'u-1', undefined, { plan: 'pro' }],
      ['group', 'u-1', 'acme', { size: 10 }],
      ['identify', 'u-1', undefined, { plan: 'pro', email: 'ann@example.com' }],
      ['group', 'u-1', 'acme', { size: 10, tier: 'gold' }],
      ['identify', 'u-2', undefined, { plan: 'free' }],
    ]);
  });

  it('alias() names the previous id (the user id, else the anonymous id); ready() calls back at once', async () => {
    const t = make();
    await t.consent.acceptAll();
    await t.alias('new-user');
    await t.identify('u-1');
    await t.alias('u-1-renamed', undefined, { context: { via: 'login' } });
    await t.alias('u-9', 'u-8');
    let ready = false;
    await t.ready(() => (ready = true));
    expect(ready).toBe(true);
    await vi.waitFor(() => expect(sentEvents()).toHaveLength(4));
    expect(
      sentEvents()
        .filter((e) => e.type === 'alias')
        .map((e) => [e.userId, e.previousId]),
    ).toEqual([
      ['new-user', t.anonymousId()],
      ['u-1-renamed', 'u-1'],
      ['u-9', 'u-8'],
    ]);
  });

  it('source middleware enriches or strips an event before it is stored, drops it with next(null), and a bad one is refused naming it', async () => {
    const t = make();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    t.addSourceMiddleware(({ payload, next }) => {
      const e = payload.obj as { traits?: Record<string, unknown>; properties?: Record<string, unknown>; event?: string };
      delete e.traits?.email; // personal data never leaves the page
      if (e.event === 'Secret') return next(null);
      if (e.event === 'Broken') return next({ obj: 'not an event' as never });
      if (e.event === 'Throws') throw new Error('middleware bug');
      // Async, changing what Tillit owns too: those are put back.
      setTimeout(() =>
        next({
          obj: {
            ...payload.obj,
            properties: { ...e.properties, enriched: true },
            messageId: 'forged',
            anonymousId: 'someone-else',
          },
        }),
      );
    });
    const held = await t.track('Early');
    expect(held.status).toBe('held'); // the middleware runs when an event is queued, so after consent
    await t.consent.acceptAll();
    const [ok, secret, broken, throws, identified] = await Promise.all([
      t.track('Seen', { a: 1 }),
      t.track('Secret'),
      t.track('Broken'),
      t.track('Throws'),
      t.identify('u-1', { email: 'ann@example.com', plan: 'pro' }),
    ]);
    warn.mockRestore();
    expect([ok.status, secret.status, broken.status, throws.status, identified.status]).toEqual([
      'queued',
      'dropped',
      'dropped',
      'dropped',
      'queued',
    ]);
    expect(secret.reason).toBe('by source middleware');
    expect(broken.reason).toContain('source middleware passed on "not an event" as payload.obj');
    expect(throws.reason).toContain('middleware bug');
    await vi.waitFor(() => expect(sentEvents()).toHaveLength(3));
    const byName = Object.fromEntries(sentEvents().map((e) => [e.event ?? e.type, e]));
    expect(byName.Seen.properties).toEqual({ a: 1, enriched: true });
    expect(byName.Seen.messageId).toBe(ok.event?.messageId);
    expect(byName.Seen.anonymousId).toBe(t.anonymousId());
    expect(byName.Early.properties).toEqual({ enriched: true });
    expect(byName.identify.traits).toEqual({ plan: 'pro' });
    expect(JSON.stringify(sentEvents())).not.toContain('ann@example.com');
  });

  it('options.anonymousId adopts the id handed over (setAnonymousId) before the event is queued', async () => {
    const t = make();
    await t.consent.acceptAll();
    await t.track('Handed', {}, { anonymousId: 'from-the-other-domain' });
    expect(t.anonymousId()).toBe('from-the-other-domain');
    await vi.waitFor(() =>
      expect(sentEvents().map((e) => [e.event, e.anonymousId])).toEqual([['Handed', 'from-the-other-domain']]),
    );
  });
});
