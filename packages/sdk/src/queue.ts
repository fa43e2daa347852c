/**
 * The event queue: IndexedDB (a database of Tillit's own, opened only after consent) shared by
 * the site's tabs, with this page's unacknowledged events mirrored in memory. When IndexedDB is
 * missing, throws or hangs, the memory mirror is the whole queue.
 */
import { promisifyRequest } from 'idb-keyval';
import { type QueueBounds, type QueueItem, trim } from './queue-policy.js';

export interface Queue {
  /** Queues an item now; the IndexedDB write runs in the background. */
  add(item: QueueItem): void;
  /** Every queued item in tracking order, after dropping what is beyond the bounds. */
  read(): Promise<QueueItem[]>;
  remove(ids: string[]): Promise<void>;
  /** Clears the queue and deletes the database. */
  destroy(): Promise<void>;
  /** This page's items not yet acknowledged: readable synchronously, for the unload beacon. */
  recent(): QueueItem[];
  /** True when the queue lives in IndexedDB, which other tabs share. */
  shared(): boolean;
}

const DB = 'tillit';
const STORE = 'queue';
const store = (db: IDBDatabase, mode: IDBTransactionMode) => db.transaction(STORE, mode).objectStore(STORE);
// getAll is everywhere now; idb-keyval's values() carries a cursor fallback for old browsers.
const all = (db: IDBDatabase) => promisifyRequest(store(db, 'readonly').getAll() as IDBRequest<QueueItem[]>);
const write = (db: IDBDatabase, fn: (st: IDBObjectStore) => void) => {
  const st = store(db, 'readwrite');
  fn(st);
  return promisifyRequest(st.transaction);
};
const delMany = (ids: string[], db: IDBDatabase) =>
  write(db, (st) => {
    for (const id of ids) st.delete(id);
  });

/**
 * Opens Tillit's database (idb-keyval's createStore, less its reopening: the queue does that), or
 * rejects: on an error, or when it does not open in time (Safari can leave indexedDB.open pending
 * forever). `onLost`: another tab deletes the database on withdrawal (the connection closes to let
 * it), or the browser closed the connection; the caller reopens on next use.
 */
function openDatabase(timeoutMs: number, onLost: () => void): Promise<IDBDatabase> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  // A throw in here (no indexedDB at all) rejects too.
  return new Promise<IDBDatabase>((resolve, reject) => {
    timer = setTimeout(() => reject('open timed out'), timeoutMs);
    const request = indexedDB.open(DB);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    promisifyRequest(request).then((db) => {
      db.onclose = onLost;
      db.onversionchange = () => {
        db.close();
        onLost();
      };
      resolve(db);
    }, reject);
  }).finally(() => clearTimeout(timer));
}

export function createQueue(bounds: QueueBounds, log: (...a: unknown[]) => void, timeoutMs = 1500): Queue {
  let mem: QueueItem[] = [];
  /** Running total of mem's `n`: the bounds are enforced per add without going over the whole queue. */
  let bytes = 0;
  const setMem = (m: QueueItem[]) => {
    mem = m;
    bytes = m.reduce((s, i) => s + i.n, 0);
  };
  // Writes not yet handed to IndexedDB: everything added in one task goes in one transaction.
  let puts: QueueItem[] = [];
  let dels: string[] = [];
  let db: Promise<IDBDatabase | null> | undefined;
  let isShared = false;

  const fallback = (why: unknown) => {
    log('IndexedDB unavailable, queue in memory:', why);
    isShared = false;
    db = Promise.resolve(null);
    return null;
  };

  // The database opens on first use only: before consent nothing may create it.
  const open = () =>
    (db ??= openDatabase(timeoutMs, () => {
      db = undefined;
    }).then((store) => {
      isShared = true;
      return store;
    }, fallback));

  const bounded = (items: QueueItem[]) => {
    const { keep, drop } = trim(items, bounds, Date.now());
    if (drop.length) log('queue bounds: dropped', drop);
    return { keep, drop };
  };

  return {
    add(item) {
      const now = Date.now();
      mem.push(item);
      bytes += item.n;
      // The first write since the last transaction opens the next one (a spare one, empty, is harmless).
      if (puts.push(item) < 2)
        open()
          .then((s) => {
            const p = puts;
            const d = dels;
            puts = [];
            dels = [];
            return (
              s &&
              write(s, (st) => {
                for (const i of p) st.put(i, i.id);
                for (const id of d) st.delete(id);
              })
            );
          })
          .catch(fallback); // quota, private mode: this page goes on in memory
      // This page's oldest beyond the bounds are beyond them in the shared queue too: they leave
      // IndexedDB now (or are never written), one per add, not thousands at the next read.
      while (mem[0] && (mem.length > bounds.maxEvents || bytes > bounds.maxBytes || now - mem[0].t >= bounds.maxAgeMs)) {
        const d = mem.shift()!;
        bytes -= d.n;
        log('queue bounds: dropped', d);
        const k = puts.indexOf(d);
        if (k < 0) dels.push(d.id);
        else puts.splice(k, 1);
      }
    },
    async read() {
      const known = new Set(mem);
      const s = await open();
      if (!s) {
        setMem(bounded(mem).keep);
        return mem;
      }
      const { keep, drop } = bounded(await all(s));
      if (drop.length)
        await delMany(
          drop.map((i) => i.id),
          s,
        );
      // What another tab has sent or dropped leaves the mirror too; what was added during this read
      // stays (it may not be written yet, and it keeps this page's flush timer going).
      const ids = new Set(keep.map((i) => i.id));
      setMem(mem.filter((i) => ids.has(i.id) || !known.has(i)));
      return keep;
    },
    async remove(ids) {
      const gone = new Set(ids);
      setMem(mem.filter((i) => !gone.has(i.id)));
      const s = await open();
      if (s) await delMany(ids, s);
    },
    async destroy() {
      setMem([]);
      const s = await db;
      db = undefined;
      isShared = false;
      if (s) {
        await write(s, (st) => st.clear()); // gone now, even if another tab keeps the database open a while
        s.close();
      }
      await new Promise((resolve) => {
        try {
          const req = indexedDB.deleteDatabase(DB);
          req.onsuccess = req.onerror = req.onblocked = resolve;
        } catch {
          resolve(0);
        }
      });
    },
    recent: () => mem,
    shared: () => isShared,
  };
}
