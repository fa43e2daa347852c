import { describe, expect, it } from 'vitest';
import type { AuditRow, ConsentRow, EventRow, RequestRow, Store, SubjectRef } from './store.js';

/**
 * The behaviour every {@link Store} owes the collector (store.ts lists it), as a test suite a store
 * runs against itself: `storeContract('SqliteStore', makeSqliteFixture)`. Only the Store interface is
 * used, so a PostgreSQL store runs the same tests.
 */
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

const anon = (id: string, site = 'site-a'): SubjectRef => ({ site, kind: 'anonymous', id });
const user = (id: string, site = 'site-a'): SubjectRef => ({ site, kind: 'user', id });
const hashOf = (kind: string, id: string) => `hash:${kind}:${id}`;
/** An identify event sent with a server key (a proven link), unless `extra` says otherwise. */
const identify = (anonymousId: string, userId: string, extra: Partial<EventRow> = {}) =>
  eventRow({ type: 'identify', event: null, anonymousId, userId, linkProven: true, ...extra });

/** Runs the store contract against stores made by `makeFixture` (a fresh, empty store per test). */
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
  });
}

type WithStore = (body: (store: Store, fixture: StoreFixture) => Promise<void>) => () => Promise<void>;

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
      expect(await store.findSubject('anon-1')).toEqual({ site: 'site-a', secretHash: 'secret-hash-1' });
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

function subjectContract(withStore: WithStore): void {
  it(
    'reads what an anonymous id owns, and nothing of another id or another site',
    withStore(async (store) => {
      await store.appendConsent(consentRow(), 'secret-hash');
      await store.insertEvents([eventRow(), eventRow({ anonymousId: 'anon-2' }), eventRow({ site: 'site-b' })]);
      const rows = await store.readSubject(anon('anon-1'), 'h');
      expect(rows.subjects).toEqual([{ anonymousId: 'anon-1', createdAt: 1_000 }]);
      expect(rows.events.map((e) => [e.site, e.anonymousId])).toEqual([['site-a', 'anon-1']]);
      expect(rows.events[0]).toMatchObject({ type: 'track', event: 'Viewed', payload: '{"properties":{"sku":"s-1"}}' });
      expect(rows.consent).toHaveLength(1);
      expect((await store.readSubject(anon('anon-1', 'site-b'), 'h')).subjects).toEqual([]);
    }),
  );

  it(
    'reads a user with every anonymous id linked to it, without another user’s link on the same browser',
    withStore(async (store) => {
      await store.insertEvents([eventRow({ anonymousId: 'phone' }), eventRow({ anonymousId: 'laptop' })]);
      await store.insertEvents([identify('phone', 'user-1'), identify('laptop', 'user-1'), identify('phone', 'user-2')]);
      await store.insertEvents([eventRow({ anonymousId: null, userId: 'user-1' }), eventRow({ anonymousId: 'stranger' })]);
      const rows = await store.readSubject(user('user-1'), 'h');
      expect(rows.events).toHaveLength(6);
      expect(rows.events.some((e) => e.anonymousId === 'stranger')).toBe(false);
      expect(rows.links.map((l) => `${l.anonymousId}>${l.userId}:${l.proven}`).sort()).toEqual([
        'laptop>user-1:true',
        'phone>user-1:true',
      ]);
      expect((await store.readSubject(user('user-1', 'site-b'), 'h')).events).toEqual([]);
    }),
  );

  it(
    'links a browser to a user through a consent record that names both',
    withStore(async (store) => {
      await store.appendConsent(consentRow({ userId: 'user-1' }), 'secret-hash');
      await store.insertEvents([eventRow()]);
      const rows = await store.readSubject(user('user-1'), 'h');
      expect(rows.links.map((l) => [l.anonymousId, l.userId, l.firstSeenAt, l.proven])).toEqual([
        ['anon-1', 'user-1', 1_000, true],
      ]);
      expect(rows.events).toHaveLength(1);
      expect(rows.consent.map((c) => c.userId)).toEqual(['user-1']);
    }),
  );
}

function erasureContract(withStore: WithStore): void {
  it(
    'erases a user in one transaction: rows of every linked id, pseudonymised proof, suppressions, audit',
    withStore(async (store) => {
      await store.appendConsent(consentRow({ anonymousId: 'phone', userId: 'user-1' }), 'secret-phone');
      await store.insertEvents([
        identify('laptop', 'user-1'),
        eventRow({ anonymousId: 'laptop' }),
        eventRow({ anonymousId: 'other' }),
      ]);
      // A claimed link names the user too: it goes (with its identify event), the browser keeps the rest.
      await store.insertEvents([identify('other', 'user-1', { linkProven: false })]);
      let committed: unknown = null;
      const audit = auditRow({ subjectHash: 'hash-user-1', receiptId: 'receipt-1' });
      const counts = await store.eraseSubject(user('user-1'), 'hash-user-1', hashOf, audit, (s) => (committed = s));
      expect(counts).toEqual({ events: 3, identityLinks: 3, subjects: 1, consentRecords: 1 });
      const suppressions = [
        { hash: 'hash:anonymous:phone', erasedAt: 2_000 },
        { hash: 'hash:anonymous:laptop', erasedAt: 2_000 },
        { hash: 'hash:user:user-1', erasedAt: 2_000 },
      ];
      expect(committed).toEqual(expect.arrayContaining(suppressions));
      expect(await store.loadSuppressions()).toEqual(expect.arrayContaining(suppressions));
      const after = await store.readSubject(user('user-1'), 'hash-user-1');
      expect([after.events, after.consent, after.links, after.subjects]).toEqual([[], [], [], []]);
      expect(after.audit).toEqual([{ ...audit, count: 1 }]);
      expect(await store.findSubject('phone')).toBeNull();
      expect((await store.readSubject(anon('other'), 'h')).events).toHaveLength(1);
    }),
  );

  it(
    'erases an anonymous id without touching another subject',
    withStore(async (store) => {
      await store.appendConsent(consentRow(), 'secret-1');
      await store.appendConsent(consentRow({ anonymousId: 'anon-2' }), 'secret-2');
      await store.insertEvents([eventRow(), eventRow({ anonymousId: 'anon-2' })]);
      const counts = await store.eraseSubject(anon('anon-1'), 'h1', hashOf, auditRow(), () => {});
      expect(counts).toEqual({ events: 1, identityLinks: 0, subjects: 1, consentRecords: 1 });
      const other = await store.readSubject(anon('anon-2'), 'h2');
      expect([other.events.length, other.consent.length, other.subjects.length]).toEqual([1, 1, 1]);
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

function identityProofContract(withStore: WithStore): void {
  it(
    'lets no claimed link widen a user’s access or erasure: anyone with the public write key can claim one',
    withStore(async (store) => {
      await store.appendConsent(consentRow({ anonymousId: 'victim' }), 'victim-secret');
      await store.insertEvents([eventRow({ anonymousId: 'victim', payload: '{"properties":{"secret":"of victim"}}' })]);
      await store.insertEvents([identify('victim', 'attacker', { linkProven: false })]);
      await store.appendConsent(consentRow({ anonymousId: 'victim', userId: 'attacker' }), null);
      const read = await store.readSubject(user('attacker'), 'h');
      expect(JSON.stringify(read)).not.toContain('of victim');
      expect([read.subjects, read.links, read.consent]).toEqual([[], [], []]);
      const counts = await store.eraseSubject(user('attacker'), 'h', hashOf, auditRow(), () => {});
      expect(counts).toMatchObject({ subjects: 0, consentRecords: 0 });
      const victim = await store.readSubject(anon('victim'), 'h');
      expect(victim.events.map((e) => e.payload)).toContain('{"properties":{"secret":"of victim"}}');
      expect(await store.findSubject('victim')).toEqual({ site: 'site-a', secretHash: 'victim-secret' });
    }),
  );

  it(
    'stores a consent record’s user only with proof, and keeps the claim as a claimed link',
    withStore(async (store) => {
      await store.appendConsent(consentRow({ anonymousId: 'b1' }), 'secret-b1');
      const claimed = consentRow({ anonymousId: 'b1', userId: 'user-1' });
      await store.appendConsent(claimed, 'wrong-secret');
      const proven = consentRow({ anonymousId: 'b1', userId: 'user-2' });
      await store.appendConsent(proven, 'secret-b1');
      const server = consentRow({ anonymousId: 'b2', userId: 'user-3' });
      await store.appendConsent(server, null, { trusted: true });
      const rows = await store.readSubject(anon('b1'), 'h');
      expect(rows.consent.map((c) => c.userId)).toEqual([null, null, 'user-2']);
      expect(rows.links.map((l) => `${l.userId}:${l.proven}`).sort()).toEqual(['user-1:false', 'user-2:true']);
      expect((await store.readSubject(user('user-3'), 'h')).consent.map((c) => c.receiptId)).toEqual([server.receiptId]);
      // Once the link is proven, later records of that browser (which carry no secret) keep the user.
      const later = consentRow({ anonymousId: 'b1', userId: 'user-2' });
      await store.appendConsent(later, null);
      const ofUser2 = (await store.readSubject(user('user-2'), 'h')).consent.filter((c) => c.userId === 'user-2');
      expect(ofUser2.map((c) => c.receiptId)).toEqual([proven.receiptId, later.receiptId]);
    }),
  );

  it(
    'widens a user’s access to a browser once the link is proven, and a claim never unproves it',
    withStore(async (store) => {
      await store.insertEvents([eventRow({ anonymousId: 'b1' }), identify('b1', 'user-1', { linkProven: false })]);
      // The claim's own identify event names the user; the browser's other events stay out of reach.
      expect((await store.readSubject(user('user-1'), 'h')).events.map((e) => e.type)).toEqual(['identify']);
      await store.linkIdentity({ site: 'site-a', anonymousId: 'b1', userId: 'user-1', at: 5_000 });
      await store.linkIdentity({ site: 'site-a', anonymousId: 'b1', userId: 'user-1', at: 6_000 });
      await store.insertEvents([identify('b1', 'user-1', { linkProven: false, receivedAt: 7_000 })]);
      const rows = await store.readSubject(user('user-1'), 'h');
      expect(rows.events.map((e) => e.type).sort()).toEqual(['identify', 'identify', 'track']);
      expect(rows.links).toEqual([{ anonymousId: 'b1', userId: 'user-1', firstSeenAt: 1_000, lastSeenAt: 7_000, proven: true }]);
      expect((await store.readSubject(user('user-1', 'site-b'), 'h')).events).toEqual([]);
    }),
  );
}
