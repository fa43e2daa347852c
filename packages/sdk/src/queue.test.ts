import 'fake-indexeddb/auto';
import type { Event } from '@tillit/schema';
import { IDBFactory } from 'fake-indexeddb';
import { beforeEach, expect, it } from 'vitest';
import { createQueue } from './queue.js';
import type { QueueItem } from './queue-policy.js';

const bounds = { maxEvents_: 100, maxBytes_: 1e6, maxAgeMs_: 864e5 };
const item = (id: string, t = Date.now()): QueueItem => ({ id, p: 'analytics', n: 10, t, e: { messageId: id } as Event });
const logs: string[] = [];
const log = (...a: unknown[]) => void logs.push(a.join(' '));
const databases = async () => (await indexedDB.databases()).map((d) => d.name);

beforeEach(() => {
  globalThis.indexedDB = new IDBFactory();
  logs.length = 0;
});

it('opens no database until it is used', async () => {
  createQueue(bounds, log);
  expect(await databases()).toEqual([]);
});

it('writes through to its own IndexedDB database, in key (time) order', async () => {
  const q = createQueue(bounds, log);
  q.add_(item('b'));
  q.add_(item('a'));
  expect((await q.read_()).map((i) => i.id)).toEqual(['a', 'b']);
  expect(await databases()).toEqual(['tillit']);
  expect(q.shared_()).toBe(true);
  // A second page (a reload, another tab) sees the same events.
  expect((await createQueue(bounds, log).read_()).map((i) => i.id)).toEqual(['a', 'b']);
});

it('removes acknowledged events', async () => {
  const q = createQueue(bounds, log);
  for (const id of ['a', 'b', 'c']) q.add_(item(id));
  await q.remove_(['a', 'c']);
  expect((await q.read_()).map((i) => i.id)).toEqual(['b']);
  expect(q.recent_().map((i) => i.id)).toEqual(['b']);
});

it('drops the oldest beyond its bounds, and says so', async () => {
  const q = createQueue({ ...bounds, maxEvents_: 2 }, log);
  for (const id of ['a', 'b', 'c']) q.add_(item(id));
  expect((await q.read_()).map((i) => i.id)).toEqual(['b', 'c']);
  expect(logs.join()).toContain('dropped');
  globalThis.indexedDB = new IDBFactory();
  const old = createQueue(bounds, log);
  old.add_(item('x', Date.now() - 2 * 864e5));
  old.add_(item('y'));
  expect((await old.read_()).map((i) => i.id)).toEqual(['y']);
});

it('keeps IndexedDB within its bounds as events are added, not only at the next read', async () => {
  const q = createQueue({ ...bounds, maxEvents_: 2 }, log);
  const stored = () =>
    new Promise<IDBValidKey[]>((resolve) => {
      const open = indexedDB.open('tillit');
      open.onsuccess = () => {
        const keys = open.result.transaction('queue').objectStore('queue').getAllKeys();
        keys.onsuccess = () => resolve(keys.result);
      };
    });
  q.add_(item('a'));
  q.add_(item('b'));
  await q.remove_([]); // its transaction runs after the pending writes
  expect(await stored()).toEqual(['a', 'b']);
  // a and b are written: deleted by the adds that push them out. c never gets written at all.
  for (const id of ['c', 'd', 'e']) q.add_(item(id));
  expect(q.recent_().map((i) => i.id)).toEqual(['d', 'e']);
  await q.remove_([]);
  expect(await stored()).toEqual(['d', 'e']);
  expect(logs.join()).toContain('dropped');
  // Bytes and age too.
  q.add_({ ...item('f'), n: 2e6 });
  expect(q.recent_().map((i) => i.id)).toEqual([]);
  q.add_(item('g', Date.now() - 2 * 864e5));
  q.add_(item('h'));
  await q.remove_([]);
  expect(await stored()).toEqual(['h']);
});

it('deletes the whole database on destroy', async () => {
  const q = createQueue(bounds, log);
  q.add_(item('a'));
  await q.read_();
  await q.destroy_();
  expect(await databases()).toEqual([]);
  expect(q.recent_()).toEqual([]);
});

it('falls back to memory when IndexedDB is missing', async () => {
  // @ts-expect-error: a browser without IndexedDB
  globalThis.indexedDB = undefined;
  const q = createQueue(bounds, log);
  q.add_(item('a'));
  expect((await q.read_()).map((i) => i.id)).toEqual(['a']);
  expect(q.shared_()).toBe(false);
  expect(logs.join()).toContain('IndexedDB unavailable');
});

it('falls back to memory when opening IndexedDB hangs (Safari)', async () => {
  globalThis.indexedDB = { open: () => ({}) } as unknown as IDBFactory;
  const q = createQueue(bounds, log, 50);
  q.add_(item('a'));
  const started = Date.now();
  expect((await q.read_()).map((i) => i.id)).toEqual(['a']);
  expect(Date.now() - started).toBeLessThan(1000);
  expect(logs.join()).toContain('timed out');
});

it('falls back to memory when IndexedDB throws', async () => {
  globalThis.indexedDB = {
    open: () => {
      throw new DOMException('denied', 'SecurityError');
    },
  } as unknown as IDBFactory;
  const q = createQueue(bounds, log);
  q.add_(item('a'));
  await q.remove_(['zz']);
  expect((await q.read_()).map((i) => i.id)).toEqual(['a']);
});

it('keeps in its mirror what was added while a read was running', async () => {
  const q = createQueue(bounds, log);
  q.add_(item('a'));
  const reading = q.read_();
  q.add_(item('b')); // its IndexedDB write may land after the read's transaction
  expect((await reading).map((i) => i.id)).toContain('a');
  expect(q.recent_().map((i) => i.id)).toContain('b');
});
