/**
 * The anonymous id's domain cookie (cookieDomain): after consent only, adopted by a subdomain with no
 * id of its own, deleted on withdrawal and erasure, and never carrying the subject secret.
 */
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, beforeEach, expect, it, vi } from 'vitest';
import { readCookie } from './cookies.js';
import { createTillit } from './index.js';
import type { TillitConfig } from './types.js';

const server = setupServer(
  http.post('*/v1/consent', () => HttpResponse.json({ receiptId: 'r' }, { status: 201 })),
  http.post('*/v1/batch', () => HttpResponse.json({ accepted: 1, duplicates: 0, rejected: [] })),
  http.delete('*/v1/subjects/:id', () => HttpResponse.json({ receiptId: 'erased' })),
);
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());
beforeEach(() => {
  localStorage.clear();
  // biome-ignore lint/suspicious/noDocumentCookie: clearing what a test wrote
  for (const c of document.cookie.split(';'))
    document.cookie = `${c.split('=')[0]}=;path=/;max-age=-1;domain=${location.hostname}`;
  globalThis.indexedDB = new IDBFactory();
});

const domain = () => location.hostname;
const make = (over: Partial<TillitConfig> = {}) =>
  createTillit({ collectorUrl: 'http://c.test', writeKey: 'wk', policyVersion: 'v1', cookieDomain: domain(), ...over });
const idCookie = () => readCookie('tillit_aid');

it('writes the id cookie only after consent, never before or after a refusal', async () => {
  const t = make();
  t.track('Before');
  await t.consent.rejectAll();
  await new Promise((r) => setTimeout(r, 20)); // a write would have been a microtask and a chunk load away
  expect(document.cookie).toBe('');
  await t.consent.acceptAll();
  await vi.waitFor(() => expect(idCookie()).toBe(t.anonymousId()));
  expect(document.cookie).not.toContain(JSON.parse(localStorage.tillit_id).secret);
});

it('a subdomain with no id of its own adopts the cookie’s id after consent, with a secret of its own', async () => {
  const first = make();
  await first.consent.acceptAll();
  await vi.waitFor(() => expect(idCookie()).toBe(first.anonymousId()));
  const firstSecret = JSON.parse(localStorage.tillit_id).secret;
  localStorage.clear(); // another subdomain: its own localStorage, the same domain cookie
  const second = make();
  expect(second.anonymousId()).toBeNull(); // undecided there: nothing read
  await second.consent.acceptAll();
  expect(second.anonymousId()).toBe(first.anonymousId());
  expect(JSON.parse(localStorage.tillit_id).secret).not.toBe(firstSecret);
});

it('setAnonymousId moves the cookie to the new id', async () => {
  const t = make();
  await t.consent.acceptAll();
  await t.setAnonymousId('handed-over');
  await vi.waitFor(() => expect(idCookie()).toBe('handed-over'));
});

it('withdrawing everything deletes the id cookie; erasure deletes it and the decision cookie', async () => {
  const t = make({ consentCookie: true });
  await t.consent.acceptAll();
  await vi.waitFor(() => expect(idCookie()).toBeDefined());
  await t.consent.rejectAll();
  await vi.waitFor(() => expect(idCookie()).toBeUndefined());
  expect(readCookie('tillit_consent')).toContain('"analytics":false');

  await t.consent.acceptAll();
  await vi.waitFor(() => expect(idCookie()).toBe(t.anonymousId()));
  await t.privacy.erase();
  await vi.waitFor(() => expect(document.cookie).toBe(''));
});

it('every page after consent rewrites the id cookie (Safari keeps a script-written one 7 days from its last write); an undecided page leaves it', async () => {
  const first = make();
  await first.consent.acceptAll();
  const id = JSON.parse(localStorage.tillit_id).id;
  // The receipt rewrites the cookies too: let it land first.
  await vi.waitFor(() => expect(first.consent.get()?.receiptId).toBe('r'));
  await vi.waitFor(() => expect(idCookie()).toBe(id));
  // biome-ignore lint/suspicious/noDocumentCookie: as Safari's cap would
  document.cookie = `tillit_aid=;path=/;max-age=-1;domain=${domain()}`;
  expect(idCookie()).toBeUndefined();
  make(); // the next page
  await vi.waitFor(() => expect(idCookie()).toBe(id));

  localStorage.clear(); // a subdomain where the visitor has not decided
  make();
  await new Promise((r) => setTimeout(r, 20));
  expect(idCookie()).toBe(id);
});
