import type { AuditRow, ConsentRow, EventRow, Store, SubjectRef } from './store.js';

/** Rows and helpers of the Store contract suite (store-contract.ts). */

export interface StoreFixture {
  store: Store;
  /** Closes the store and opens a new one on the same data (a restart). */
  reopen(): Promise<Store>;
  /** Closes the last store opened and removes its data. */
  destroy(): Promise<void>;
}

let sequence = 0;
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${++sequence}`;

export function eventRow(extra: Partial<EventRow> = {}): EventRow {
  return {
    messageId: unique('m'),
    site: 'site-a',
    type: 'track',
    event: 'Viewed',
    anonymousId: 'anon-1',
    userId: null,
    timestamp: 1_000,
    receivedAt: 1_000,
    payload: '{"properties":{"sku":"s-1"}}',
    ...extra,
  };
}

export function consentRow(extra: Partial<ConsentRow> = {}): ConsentRow {
  return {
    receiptId: unique('r'),
    recordId: null,
    site: 'site-a',
    anonymousId: 'anon-1',
    userId: null,
    purposes: '{"analytics":true}',
    policyVersion: '2026-11',
    source: 'banner',
    textHash: null,
    decidedAt: '2026-11-30T10:00:00.000Z',
    receivedAt: 1_000,
    locale: 'sv-SE',
    url: 'https://shop.test/',
    ...extra,
  };
}

export function auditRow(extra: Partial<AuditRow> = {}): AuditRow {
  return {
    at: 2_000,
    site: 'site-a',
    action: 'erase',
    subjectHash: 'h',
    via: 'secret',
    outcome: 'ok',
    receiptId: null,
    ...extra,
  };
}

export const anon = (id: string, site = 'site-a'): SubjectRef => ({ site, kind: 'anonymous', id });
export const user = (id: string, site = 'site-a'): SubjectRef => ({ site, kind: 'user', id });
export const hashOf = (kind: string, id: string) => `hash:${kind}:${id}`;
/** An identify event sent with a server key (a proven link), unless `extra` says otherwise. */
export const identify = (anonymousId: string, userId: string, extra: Partial<EventRow> = {}) =>
  eventRow({ type: 'identify', event: null, anonymousId, userId, linkProven: true, ...extra });

/** Wraps a test body: a fresh store, removed afterwards, pass or fail. */
export type WithStore = (body: (store: Store, fixture: StoreFixture) => Promise<void>) => () => Promise<void>;
