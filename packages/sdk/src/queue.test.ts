import 'fake-indexeddb/auto';
import type { Event } from '@tillit/schema';
import { IDBFactory } from 'fake-indexeddb';
import { beforeEach, expect, it } from 'vitest';
import { createQueue, destroyQueue } from './queue.js';
import type { QueueItem } from './queue-policy.js';

const bounds = { maxEvents_: 100, maxBytes_: 1e6, maxAgeMs_: 864e5 };
const item = (id: string, t = Date.now()): QueueItem => ({ id, p: 'analytics', n: 10, t, e: { messageId: id } as Event });
const logs: string[] = [];
const log = (...a: unknown[]) => void logs.push(a.join(' '));
const databases = async () => (await indexedDB.databases()).map((d) => d.name);
/** The records in IndexedDB: their keys, and the ids of the items each holds. */
const records = () =>
  new Promise<[IDBValidKey, string[]][]>((resolve) => {
    const open = indexedDB.open('tillit');
    open.onsuccess = () => {
      const st = open.result.transaction('queue').objectStore('queue');
      const keys = st.getAllKeys();
      const values = st.getAll();
      values.onsuccess = () => resolve(keys.result.map((k, n) => [k, [values.result[n]].flat().map((i: QueueItem) => i.id)]));
    };
  });
const stored = async () => (await records()).flatMap(([, ids]) => ids);

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
  await q.remove_([]); // its transaction runs after the write: the next add starts another record
  q.add_(item('a'));
  expect((await q.read_()).map((i) => i.id)).toEqual(['a', 'b']);
  expect(await databases()).toEqual(['tillit']);
  expect(q.shared_()).toBe(true);
  // A second page (a reload, another tab) sees the same events.
  expect((await createQueue(bounds, log).read_()).map((i) => i.id)).toEqual(['a', 'b']);
});

it('writes the events one task adds as one IndexedDB record', async () => {
  const q = createQueue(bounds, log);
  for (let i = 0; i < 50; i++) q.add_(item(`a${String(i).padStart(2, '0')}`));
  await q.remove_([]); // its transaction runs after the write
  q.add_(item('b'));
  await q.remove_([]);
  const stored = await records();
  expect(stored.map(([key, ids]) => [key, ids.length])).toEqual([
    ['a00', 50],
    ['b', 1],
  ]);
});

it('takes removed events out of their record, and deletes a record left empty', async () => {
  const q = createQueue(bounds, log);
  const added = ['a', 'b', 'c'].map((id) => item(id));
  for (const i of added) q.add_(i);
  await q.remove_([added[1]!]);
  expect(await records()).toEqual([['a', ['a', 'c']]]);
  await q.remove_([added[0]!, added[2]!]);
  expect(await records()).toEqual([]);
});

it('reads and removes the events an older SDK stored one per record', async () => {
  const old = item('o');
  await new Promise((resolve) => {
    const open = indexedDB.open('tillit');
    open.onupgradeneeded = () => open.result.createObjectStore('queue');
    open.onsuccess = () => {
      const tx = open.result.transaction('queue', 'readwrite');
      tx.objectStore('queue').put(old, 'o');
      tx.oncomplete = () => resolve(open.result.close());
    };
  });
  const q = createQueue(bounds, log);
  const [read] = await q.read_();
  expect(read?.id).toBe('o');
  await q.remove_([read!]);
  expect(await records()).toEqual([]);
});

it('removes an event from its record when the first of its write was dropped before it was written', async () => {
  const q = createQueue({ ...bounds, maxEvents_: 2 }, log);
  const added = ['a', 'b', 'c', 'd'].map((id) => item(id));
  for (const i of added) q.add_(i); // c and d push a and b out before anything is written
  await q.remove_([added[3]!]);
  expect(await records()).toEqual([['a', ['c']]]);
});

it('removes acknowledged events', async () => {
  const q = createQueue(bounds, log);
  const added = ['a', 'b', 'c'].map((id) => item(id));
  for (const i of added) q.add_(i);
  await q.remove_([added[0]!, added[2]!]);
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
  await destroyQueue(q);
  expect(await databases()).toEqual([]);
  expect(q.recent_()).toEqual([]);
});

it('keeps what is added while it is destroyed (a new grant right after a withdrawal) in a database opened after the deletion', async () => {
  const q = createQueue(bounds, log);
  q.add_(item('withdrawn')); // its write still pending: the database is not open yet
  const destroyed = destroyQueue(q);
  q.add_(item('after'));
  await destroyed;
  expect(q.recent_().map((i) => i.id)).toEqual(['after']);
  expect((await q.read_()).map((i) => i.id)).toEqual(['after']);
  expect(await stored()).toEqual(['after']);
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
  await q.remove_([item('zz')]);
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

it('marks an event written once its IndexedDB write has completed (for unload to copy only the rest), never in memory', async () => {
  const q = createQueue(bounds, log);
  const a = item('a');
  q.add_(a);
  expect(a.w_).toBeUndefined();
  await q.remove_([]); // its transaction runs after the write
  expect(a.w_).toBe(1);
  expect((await q.read_())[0]).not.toHaveProperty('w_'); // the mark is never stored
  // @ts-expect-error: a browser without IndexedDB
  globalThis.indexedDB = undefined;
  const memory = createQueue(bounds, log);
  const b = item('b');
  memory.add_(b);
  await memory.read_();
  expect(b.w_).toBeUndefined();
});
