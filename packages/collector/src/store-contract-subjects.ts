import { expect, it } from 'vitest';
import { type WithStore, anon, auditRow, consentRow, eventRow, hashOf, identify, user } from './store-contract-rows.js';

/** The Store contract about subjects: reads, erasure and proven identity links (see store-contract.ts). */

export function subjectContract(withStore: WithStore): void {
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
    'links a browser to a user through a vouched consent record that names both',
    withStore(async (store) => {
      await store.appendConsent(consentRow({ userId: 'user-1' }), 'secret-hash', { trusted: true });
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

export function erasureContract(withStore: WithStore): void {
  it(
    'lists every distinct subject id of a site, and puts suppressions back as recorded (the erasure ledger)',
    withStore(async (store) => {
      await store.appendConsent(consentRow({ anonymousId: 'consented' }), 'secret-hash');
      await store.insertEvents([
        eventRow(),
        eventRow(),
        identify('phone', 'user-1'),
        eventRow({ site: 'site-b', anonymousId: 'b' }),
      ]);
      const ids: string[] = [];
      for await (const ref of store.subjectIds('site-a')) ids.push(`${ref.site}/${ref.kind}/${ref.id}`);
      expect(ids.sort()).toEqual([
        'site-a/anonymous/anon-1',
        'site-a/anonymous/consented',
        'site-a/anonymous/phone',
        'site-a/user/user-1',
      ]);
      await store.restoreSuppressions([
        { hash: 'h-1', erasedAt: 5 },
        { hash: 'h-2', erasedAt: 6 },
      ]);
      await store.restoreSuppressions([{ hash: 'h-1', erasedAt: 7 }]);
      expect(await store.loadSuppressions()).toEqual(
        expect.arrayContaining([
          { hash: 'h-1', erasedAt: 7 },
          { hash: 'h-2', erasedAt: 6 },
        ]),
      );
      expect(await store.subjectErasedAt('h-2')).toBe(6);
    }),
  );

  it(
    'erases a user in one transaction: rows of every linked id, pseudonymised proof, suppressions, audit',
    withStore(async (store) => {
      await store.appendConsent(consentRow({ anonymousId: 'phone', userId: 'user-1' }), 'secret-phone', { trusted: true });
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
      expect(await store.subjectErasedAt('hash:user:user-1')).toBe(2_000);
      expect(await store.subjectErasedAt('hash:user:never-erased')).toBeNull();
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

export function identityProofContract(withStore: WithStore): void {
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
      expect(await store.findSubject('victim')).toEqual({ site: 'site-a', secretHashes: ['victim-secret'] });
    }),
  );

  it(
    'stores a consent record’s user only with proof, and keeps the claim as a claimed link',
    withStore(async (store) => {
      await store.appendConsent(consentRow({ anonymousId: 'b1' }), 'secret-b1');
      const claimed = consentRow({ anonymousId: 'b1', userId: 'user-1' });
      await store.appendConsent(claimed, 'wrong-secret');
      // The browser's own secret proves the browser, not the user: anyone can make one for a new id.
      const ownSecret = consentRow({ anonymousId: 'b1', userId: 'user-4' });
      await store.appendConsent(ownSecret, 'secret-b1');
      const proven = consentRow({ anonymousId: 'b1', userId: 'user-2' });
      await store.appendConsent(proven, 'secret-b1', { trusted: true });
      const server = consentRow({ anonymousId: 'b2', userId: 'user-3' });
      await store.appendConsent(server, null, { trusted: true });
      const rows = await store.readSubject(anon('b1'), 'h');
      expect(rows.consent.map((c) => c.userId)).toEqual([null, null, null, 'user-2']);
      expect(rows.links.map((l) => `${l.userId}:${l.proven}`).sort()).toEqual(['user-1:false', 'user-2:true', 'user-4:false']);
      expect((await store.readSubject(user('user-4'), 'h')).consent).toEqual([]);
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
