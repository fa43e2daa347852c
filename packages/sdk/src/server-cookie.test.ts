import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, beforeEach, expect, it, vi } from 'vitest';
import { createTillit } from './index.js';
import type { TillitConfig } from './types.js';

// The collector's identity cookie from the SDK's side (the cookie itself, and the collector's checks, are
// tested in Chromium against the real collector: test/e2e/sdk-server-cookie.spec.ts).

interface Seen {
  path: string;
  body: any;
}
let seen: Seen[] = [];
let host = '';
let n = 0;
/** The collector's answer to a restore (a request with a secret and no id). */
let restoredId: string | null = null;

const server = setupServer(
  http.post('*/v1/:kind', async ({ request, params }) => {
    const url = new URL(request.url);
    // Instances of earlier tests share the storage like other tabs: their collector is down.
    if (url.host !== host) return HttpResponse.json({ error: 'unavailable' }, { status: 503, headers: { 'Retry-After': '600' } });
    const body = JSON.parse(await request.text());
    seen.push({ path: url.pathname, body });
    if (params.kind === 'identity')
      return HttpResponse.json({ anonymousId: body.anonymousId ?? (body.secret ? restoredId : null) });
    if (params.kind === 'batch') return HttpResponse.json({ accepted: 1, duplicates: 0, rejected: [] });
    return HttpResponse.json({ receiptId: `r-${n}` }, { status: 201 });
  }),
);
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());

beforeEach(() => {
  host = `c${++n}.test`;
  seen = [];
  restoredId = null;
  localStorage.clear();
  globalThis.indexedDB = new IDBFactory();
});

const make = (over: Partial<TillitConfig> = {}) =>
  createTillit({
    collectorUrl: `http://${host}/`,
    writeKey: 'wk',
    policyVersion: 'v1',
    batch: { intervalMs: 5 },
    serverCookie: true,
    ...over,
  });
const asked = () => seen.filter((s) => s.path === '/v1/identity').map((s) => s.body);
const records = () => seen.filter((s) => s.path === '/v1/consent').map((s) => s.body);
const sent = () =>
  seen.filter((s) => s.path === '/v1/batch').flatMap((s) => s.body.batch.map((e: any) => [e.event, e.anonymousId]));
const storedIdentity = () => JSON.parse(localStorage.getItem('tillit_id') ?? 'null');
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

it('asks for the cookie once per decision, after the collector holds the secret, and for its deletion when nothing is granted', async () => {
  await make().consent.acceptAll();
  // No stored id: a restore first (the collector had none), then the set once the record carried the secret.
  await vi.waitFor(() => expect(asked()).toHaveLength(2));
  const { id, secret } = storedIdentity();
  expect(asked()[0]).toEqual({ writeKey: 'wk', secret: expect.stringMatching(/^[0-9a-f]{64}$/) });
  expect(asked()[1]).toEqual({ writeKey: 'wk', anonymousId: id, secret, maxAge: expect.any(Number) });
  expect(asked()[1].maxAge).toBeGreaterThan(181 * 86400);
  expect(records()[0].secret).toBe(secret);
  expect(seen.findIndex((s) => s.path === '/v1/consent')).toBeLessThan(
    seen.findIndex((s) => s.body.anonymousId === id && s.path === '/v1/identity'),
  );

  await vi.waitFor(() => expect(storedIdentity().sc).toBeDefined());
  const nextPage = make();
  await nextPage.flush();
  await wait(30);
  expect(asked()).toHaveLength(2); // the next page asks nothing: this decision's cookie was asked for
  await nextPage.consent.rejectAll();
  await vi.waitFor(() => expect(asked()).toHaveLength(3));
  expect(asked()[2]).toEqual({ writeKey: 'wk' });
});

it('with no stored id, a decision waits for the restore: held and concurrent events go under the restored id and its new secret', async () => {
  restoredId = 'restored-id';
  const t = make();
  t.track('Held');
  const decided = t.consent.acceptAll();
  t.track('During the decision');
  expect(t.anonymousId()).toBeNull();
  await decided;
  expect(t.anonymousId()).toBe('restored-id');
  await vi.waitFor(() =>
    expect(sent()).toEqual([
      ['Held', 'restored-id'],
      ['During the decision', 'restored-id'],
    ]),
  );
  // The secret the collector bound to the id: the record carries it no more, and the cookie is asked for with it.
  expect(storedIdentity()).toMatchObject({ id: 'restored-id', secret: asked()[0].secret, sent: 1 });
  await vi.waitFor(() => expect(records()).toHaveLength(1));
  expect(records()[0]).toMatchObject({ anonymousId: 'restored-id' });
  expect(records()[0].secret).toBeUndefined();
  await vi.waitFor(() => expect(asked()[1]).toMatchObject({ anonymousId: 'restored-id', secret: asked()[0].secret }));
});

/** A page that makes a decision and stays until the collector has acknowledged its record. */
async function decideOnAPage(decide: 'acceptAll' | 'rejectAll', over: Partial<TillitConfig> = {}) {
  const page = make(over);
  await page.consent[decide]();
  await vi.waitFor(() => expect(page.consent.get()?.receiptId).toBeDefined());
  return page;
}

it('asks nothing without serverCookie, and restores nothing for a refusal or while an id is stored', async () => {
  await decideOnAPage('acceptAll', { serverCookie: false });
  expect(asked()).toEqual([]);
  // A page with serverCookie, where a visitor who consented before it was on withdraws: no restore; the
  // page's start asks for the cookie of the stored id (the withdrawal is made once the chunk has loaded), then its deletion.
  await decideOnAPage('rejectAll');
  await vi.waitFor(() => expect(asked().at(-1)).toEqual({ writeKey: 'wk' }));
  expect(asked().filter((b) => b.secret && !b.anonymousId)).toEqual([]); // no restore
  const before = asked().length;
  await decideOnAPage('acceptAll'); // no stored id: a restore (none found), then the cookie for the new id
  await vi.waitFor(() => expect(asked()).toHaveLength(before + 2));
  expect(
    asked()
      .slice(before)
      .map((b) => Object.keys(b).sort().join()),
  ).toEqual(['secret,writeKey', 'anonymousId,maxAge,secret,writeKey']);
  await vi.waitFor(() => expect(storedIdentity().sc).toBeDefined());
  await decideOnAPage('acceptAll'); // an id is stored: no restore (the new decision's cookie only)
  await vi.waitFor(() => expect(asked()).toHaveLength(before + 3));
  expect(asked()[before + 2]).toMatchObject({ anonymousId: asked()[before + 1].anonymousId });
});

it('asks for the cookie on the next page of a visitor who decided before the site turned it on', async () => {
  await decideOnAPage('acceptAll', { serverCookie: false });
  make();
  await vi.waitFor(() => expect(asked()).toHaveLength(1));
  expect(asked()[0]).toMatchObject({ anonymousId: storedIdentity().id, secret: storedIdentity().secret });
});
