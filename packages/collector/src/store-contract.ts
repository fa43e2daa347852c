import { describe, expect, it } from 'vitest';
import type { RequestRow, Store } from './store.js';
import {
  type StoreFixture,
  type WithStore,
  anon,
  auditRow,
  consentRow,
  eventRow,
  hashOf,
  identify,
  user,
} from './store-contract-rows.js';
import { exportContract } from './store-contract-export.js';
import { erasureContract, identityProofContract, subjectContract } from './store-contract-subjects.js';

export { type StoreFixture, auditRow, consentRow, eventRow } from './store-contract-rows.js';

/**
 * The behaviour every {@link Store} owes the collector (store.ts lists it), as a test suite a store
 * runs against itself: `storeContract('SqliteStore', makeSqliteFixture)`. Only the Store interface is
 * used, so a PostgreSQL store runs the same tests. Each test gets a fresh, empty store from `makeFixture`.
 */
export function storeContract(name: string, makeFixture: () => Promise<StoreFixture>): void {
  /** Runs `body` with a fresh store and removes it afterwards, pass or fail. */
  const withStore = (body: (store: Store, fixture: StoreFixture) => Promise<void>) => async () => {
    const fixture = await makeFixture();
    try {
      await body(fixture.store, fixture);
    } finally {
      await fixture.destroy();
    }
  };

  describe(`${name} fulfils the Store contract`, () => {
    insertContract(withStore);
    consentContract(withStore);
    subjectContract(withStore);
    identityProofContract(withStore);
    erasureContract(withStore);
    operatorContract(withStore);
    insightsContract(withStore);
    exportContract(withStore);
  });
}

function insertContract(withStore: WithStore): void {
  it(
    'stores an event once per messageId and flags each repeat as a duplicate',
    withStore(async (store) => {
      const first = eventRow();
      const answers = await Promise.all([store.insertEvents([first, eventRow()]), store.insertEvents([eventRow(), first])]);
      expect(answers).toEqual([
        [true, true],
        [true, false],
      ]);
      expect(await store.insertEvents([first, eventRow({ site: 'site-b', messageId: first.messageId })])).toEqual([false, false]);
      expect(await store.insertEvents([])).toEqual([]);
      expect(await store.countEvents()).toBe(3);
      await expect(store.ping()).resolves.toBeUndefined();
    }),
  );

  it(
    'keeps every acknowledged event across a restart, also those acknowledged just before closing',
    withStore(async (store, fixture) => {
      const burst = Array.from({ length: 20 }, () => store.insertEvents([eventRow(), eventRow()]));
      const closing = store.close();
      const answers = await Promise.all(burst);
      await closing;
      const reopened = await fixture.reopen();
      expect(await reopened.countEvents()).toBe(answers.flat().filter(Boolean).length);
    }),
  );

  it(
    'orders a write after the inserts requested before it, even while a group is being committed',
    withStore(async (store) => {
      const inserted = store.insertEvents([eventRow(), eventRow()]);
      const erased = store.eraseSubject(anon('anon-1'), 'h', hashOf, auditRow(), () => {});
      expect(await inserted).toEqual([true, true]);
      expect((await erased).events).toBe(2);
      const sent = store.insertEvents([eventRow()]);
      // One turn later the group is out being committed: the erasure waits for that commit.
      await new Promise((resolve) => setImmediate(resolve));
      const erasedAgain = store.eraseSubject(anon('anon-1'), 'h', hashOf, auditRow({ at: 3_000 }), () => {});
      const meanwhile = store.insertEvents([eventRow({ anonymousId: 'anon-2' })]);
      expect((await erasedAgain).events).toBe(1);
      expect([await sent, await meanwhile]).toEqual([[true], [true]]);
      expect((await store.readSubject(anon('anon-2'), 'h2')).events).toHaveLength(1);
    }),
  );
}

function consentContract(withStore: WithStore): void {
  it(
    'appends consent records, stores a retried recordId once per site and binds the first secret only',
    withStore(async (store) => {
      const first = consentRow({ recordId: 'rec-1' });
      expect(await store.appendConsent(first, 'secret-hash-1')).toBe(first.receiptId);
      const retry = consentRow({ recordId: 'rec-1', purposes: '{"analytics":false}' });
      expect(await store.appendConsent(retry, 'secret-hash-2')).toBe(first.receiptId);
      const otherSite = consentRow({ recordId: 'rec-1', site: 'site-b', anonymousId: 'anon-b' });
      expect(await store.appendConsent(otherSite, null)).toBe(otherSite.receiptId);
      const later = consentRow({ purposes: '{"analytics":false}' });
      await store.appendConsent(later, 'secret-hash-3');
      expect(await store.findSubject('anon-1')).toEqual({ site: 'site-a', secretHashes: ['secret-hash-1'] });
      expect(await store.findSubject('anon-b')).toBeNull();
      const { consent } = await store.readSubject(anon('anon-1'), 'h');
      expect(consent.map((c) => [c.receiptId, c.purposes])).toEqual([
        [first.receiptId, '{"analytics":true}'],
        [later.receiptId, '{"analytics":false}'],
      ]);
      expect(consent[0]).toMatchObject({ locale: 'sv-SE', url: 'https://shop.test/', decidedAt: first.decidedAt });
    }),
  );

  it(
    'binds a further secret per origin only to an id the site has a subject for, and erasure deletes them',
    withStore(async (store) => {
      await store.appendConsent(consentRow(), 'first-hash');
      const bind = (origin: string, secretHash: string, more: Partial<{ site: string; anonymousId: string }> = {}) =>
        store.bindOriginSecret({ site: 'site-a', anonymousId: 'anon-1', origin, secretHash, at: 5, ...more });
      expect(await bind('https://a.shop.test', 'a-hash')).toBe(true);
      expect(await bind('https://b.shop.test', 'b-hash')).toBe(true);
      // A browser on a.shop.test whose storage was wiped again: its new secret replaces its old one.
      expect(await bind('https://a.shop.test', 'a-hash-2')).toBe(true);
      const found = await store.findSubject('anon-1');
      expect(found?.site).toBe('site-a');
      expect(found?.secretHashes[0]).toBe('first-hash');
      expect(found?.secretHashes.slice(1).sort()).toEqual(['a-hash-2', 'b-hash']);
      // No subject, or another site's: nothing is bound.
      expect(await bind('https://a.shop.test', 'x', { anonymousId: 'unknown' })).toBe(false);
      expect(await bind('https://a.shop.test', 'x', { site: 'site-b' })).toBe(false);
      // Withdrawn (the latest decision by its time grants nothing): a restore must not bring the id back.
      const later = new Date(Date.parse(consentRow().decidedAt) + 60_000).toISOString();
      await store.appendConsent(consentRow({ purposes: '{"analytics":false}', decidedAt: later }), null);
      expect(await bind('https://b.shop.test', 'after-withdrawal')).toBe(false);
      const earlier = new Date(Date.parse(later) - 30_000).toISOString(); // a late retry of an older grant changes nothing
      await store.appendConsent(consentRow({ decidedAt: earlier }), null);
      expect(await bind('https://b.shop.test', 'after-withdrawal')).toBe(false);
      await store.appendConsent(consentRow({ decidedAt: new Date(Date.parse(later) + 1).toISOString() }), null);
      expect(await bind('https://b.shop.test', 'b-hash')).toBe(true);
      expect(await store.findSubject('unknown')).toBeNull();
      const ids: string[] = [];
      for await (const ref of store.subjectIds('site-a')) ids.push(ref.id);
      expect(ids).toEqual(['anon-1']);
      await store.eraseSubject(anon('anon-1'), 'h', hashOf, auditRow(), () => {});
      expect(await store.findSubject('anon-1')).toBeNull();
      expect(await bind('https://a.shop.test', 'after-erasure')).toBe(false);
      expect(await store.findSubject('anon-1')).toBeNull();
    }),
  );

  it(
    'never overwrites a stored record: a second record with the same receiptId is refused',
    withStore(async (store) => {
      const row = consentRow();
      await store.appendConsent(row, null);
      await expect(store.appendConsent({ ...row, purposes: '{"analytics":false}' }, null)).rejects.toThrow();
      const { consent } = await store.readSubject(anon('anon-1'), 'h');
      expect(consent.map((c) => c.purposes)).toEqual(['{"analytics":true}']);
    }),
  );

  it(
    'keeps a pseudonymous record under the subject hash only, bound to no id',
    withStore(async (store) => {
      const row = consentRow({ recordId: 'late', userId: 'user-1' });
      expect(await store.appendPseudonymousConsent(row, 'hash-of-anon-1')).toBe(row.receiptId);
      expect(await store.appendPseudonymousConsent({ ...row, receiptId: 'other' }, 'hash-of-anon-1')).toBe(row.receiptId);
      expect(await store.findSubject('anon-1')).toBeNull();
      expect((await store.readSubject(anon('anon-1'), 'h')).consent).toEqual([]);
      expect((await store.readSubject(user('user-1'), 'h')).consent).toEqual([]);
    }),
  );
}

function operatorContract(withStore: WithStore): void {
  it(
    'counts failed requests in one row per action and hour, and expires them with the events',
    withStore(async (store) => {
      const hour = 3_600_000;
      for (const at of [10 * hour + 1, 10 * hour + 500, 10 * hour + hour - 1]) await store.countDenied('access', at);
      await store.countDenied('erase', 10 * hour + 2);
      await store.countDenied('access', 11 * hour);
      const rows = await store.listAudit({ limit: 10 });
      expect(rows.map((r) => [r.action, r.at, r.count, r.site, r.via, r.outcome, r.subjectHash])).toEqual([
        ['access', 11 * hour, 1, '*', 'none', 'denied', null],
        ['erase', 10 * hour, 1, '*', 'none', 'denied', null],
        ['access', 10 * hour, 3, '*', 'none', 'denied', null],
      ]);
      await store.appendAudit(auditRow({ at: 10 * hour }));
      await store.deleteExpired(11 * hour);
      expect((await store.listAudit({ limit: 10 })).map((r) => [r.action, r.outcome])).toEqual([
        ['erase', 'ok'],
        ['access', 'denied'],
      ]);
    }),
  );

  it(
    'lists the audit log newest first, by page',
    withStore(async (store) => {
      for (let at = 1; at <= 5; at++) await store.appendAudit(auditRow({ at, subjectHash: null }));
      const firstPage = await store.listAudit({ limit: 2 });
      expect(firstPage.map((r) => r.at)).toEqual([5, 4]);
      const all = await store.listAudit({ limit: 10 });
      expect(all.map((r) => r.at)).toEqual([5, 4, 3, 2, 1]);
    }),
  );

  it(
    'tracks requests received offline until they are answered',
    withStore(async (store) => {
      const request: RequestRow = {
        receiptId: 'req-1',
        site: 'site-a',
        kind: 'erasure',
        channel: 'email',
        subjectHash: 'hash-user-9',
        reference: 'T-1',
        receivedAt: 1_000,
        dueAt: 5_000,
        state: 'received',
        updatedAt: 1_000,
        answeredAt: null,
      };
      await store.insertRequest(request);
      expect(await store.listRequests({ openOnly: true })).toEqual([request]);
      expect(await store.updateRequest('req-1', 'in_progress', 2_000)).toEqual({
        ...request,
        state: 'in_progress',
        updatedAt: 2_000,
      });
      const answered = await store.updateRequest('req-1', 'answered', 3_000);
      expect(answered).toMatchObject({ state: 'answered', answeredAt: 3_000 });
      expect(await store.listRequests({ openOnly: true })).toEqual([]);
      expect(await store.listRequests({ openOnly: false })).toEqual([answered]);
      expect(await store.updateRequest('nope', 'answered', 3_000)).toBeNull();
      expect((await store.readSubject(user('user-9'), 'hash-user-9')).requests).toEqual([answered]);
    }),
  );

  it(
    'deletes events received and links last seen before the cutoff, and keeps the rest',
    withStore(async (store) => {
      await store.insertEvents([eventRow({ receivedAt: 100 }), identify('anon-1', 'user-1', { receivedAt: 100 })]);
      await store.insertEvents([eventRow({ receivedAt: 5_000 })]);
      expect(await store.deleteExpired(1_000)).toEqual({ events: 2, identityLinks: 1 });
      expect(await store.countEvents()).toBe(1);
      expect(await store.deleteExpired(1_000)).toEqual({ events: 0, identityLinks: 0 });
    }),
  );
}

function insightsContract(withStore: WithStore): void {
  it(
    "streams a site's events in timestamp order within [from, to), page by page, including inserts just made",
    withStore(async (store) => {
      const times = [5_000, 1_000, 3_000, 3_000, 9_000];
      const rows = times.map((timestamp) => eventRow({ timestamp }));
      await store.insertEvents(rows.slice(0, 3));
      const pending = store.insertEvents([...rows.slice(3), eventRow({ site: 'site-b', timestamp: 2_000 })]);
      const seen: number[] = [];
      for await (const row of store.streamEvents({ site: 'site-a', from: 1_000, to: 9_000, pageSize: 2 }))
        seen.push(row.timestamp);
      await pending;
      expect(seen).toEqual([1_000, 3_000, 3_000, 5_000]);
      const all: string[] = [];
      for await (const row of store.streamEvents({ site: 'site-a' })) all.push(row.messageId);
      expect(all).toHaveLength(5);
      expect(all[0]).toBe(rows[1]!.messageId);
    }),
  );

  it(
    'keeps objections and restrictions by subject hash until lifted',
    withStore(async (store) => {
      await store.addProcessingLimit({ site: 'site-a', subjectHash: 'h1', right: 'objection', at: 1 });
      await store.addProcessingLimit({ site: 'site-a', subjectHash: 'h1', right: 'objection', at: 2 });
      await store.addProcessingLimit({ site: 'site-a', subjectHash: 'h2', right: 'restriction', at: 3 });
      await store.addProcessingLimit({ site: 'site-b', subjectHash: 'h3', right: 'restriction', at: 4 });
      expect(await store.listProcessingLimits('site-a')).toEqual([
        { site: 'site-a', subjectHash: 'h1', right: 'objection', at: 1 },
        { site: 'site-a', subjectHash: 'h2', right: 'restriction', at: 3 },
      ]);
      expect(await store.removeProcessingLimit('site-a', 'h1', 'objection')).toBe(true);
      expect(await store.removeProcessingLimit('site-a', 'h1', 'objection')).toBe(false);
      expect((await store.listProcessingLimits('site-a')).map((l) => l.subjectHash)).toEqual(['h2']);
    }),
  );

  it(
    "lists a site's consent decisions without ids, in the order received",
    withStore(async (store) => {
      await store.appendConsent(consentRow({ anonymousId: 'anon-1', purposes: '{"analytics":true}' }), null);
      await store.appendConsent(consentRow({ anonymousId: 'anon-2', source: 'gpc', locale: null }), null);
      await store.appendConsent(consentRow({ site: 'site-b', anonymousId: 'anon-3' }), null);
      const rows = await store.listConsentDecisions('site-a');
      expect(rows).toEqual([
        { purposes: '{"analytics":true}', source: 'banner', locale: 'sv-SE', decidedAt: '2026-11-30T10:00:00.000Z' },
        { purposes: '{"analytics":true}', source: 'gpc', locale: null, decidedAt: '2026-11-30T10:00:00.000Z' },
      ]);
    }),
  );
}
