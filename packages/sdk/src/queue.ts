/**
 * The event queue: IndexedDB (a database of Tillit's own, opened only after consent) shared by
 * the site's tabs, with this page's unacknowledged events mirrored in memory. When IndexedDB is
 * missing, throws or hangs, the memory mirror is the whole queue.
 */
import { promisifyRequest } from 'idb-keyval';
import { type QueueBounds, type QueueItem, trim } from './queue-policy.js';

export interface Queue {
  /** Queues an item now; the IndexedDB write runs in the background. */
  add_(item: QueueItem): void;
  /** Every queued item in tracking order, after dropping what is beyond the bounds. */
  read_(): Promise<QueueItem[]>;
  remove_(ids: string[]): Promise<void>;
  /** Clears the queue and deletes the database. */
  destroy_(): Promise<void>;
  /** This page's items not yet acknowledged: readable synchronously, for the unload beacon. */
  recent_(): QueueItem[];
  /** True when the queue lives in IndexedDB, which other tabs share. */
  shared_(): boolean;
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

/** This page's side of the queue, which the functions below share (`_` ends internal names: the build mangles them). */
interface Mirror {
  /** This page's unacknowledged items. */
  mem_: QueueItem[];
  /** Running total of mem_'s `n`: the bounds are enforced per add without going over the whole queue. */
  bytes_: number;
  /** Writes not yet handed to IndexedDB: everything added in one task goes in one transaction. */
  puts_: QueueItem[];
  dels_: string[];
}

const setMem = (m: Mirror, items: QueueItem[]) => {
  m.mem_ = items;
  m.bytes_ = items.reduce((s, i) => s + i.n, 0);
};

/** Hands the pending writes to one transaction (none when the queue is in memory). */
function flush(m: Mirror, db: IDBDatabase | null) {
  const { puts_, dels_ } = m;
  m.puts_ = [];
  m.dels_ = [];
  return (
    db &&
    write(db, (st) => {
      for (const i of puts_) st.put(i, i.id);
      for (const id of dels_) st.delete(id);
    })
  );
}

/**
 * This page's oldest beyond the bounds are beyond them in the shared queue too: they leave
 * IndexedDB now (or are never written), one per add, not thousands at the next read.
 */
function dropOldest(m: Mirror, bounds: QueueBounds, log: (...a: unknown[]) => void, now: number) {
  const mem = m.mem_;
  while (mem[0] && (mem.length > bounds.maxEvents_ || m.bytes_ > bounds.maxBytes_ || now - mem[0].t >= bounds.maxAgeMs_)) {
    const d = mem.shift()!;
    m.bytes_ -= d.n;
    log('queue bounds: dropped', d);
    const k = m.puts_.indexOf(d);
    if (k < 0) m.dels_.push(d.id);
    else m.puts_.splice(k, 1);
  }
}

const bounded = (items: QueueItem[], bounds: QueueBounds, log: (...a: unknown[]) => void) => {
  const { keep_: keep, drop_: drop } = trim(items, bounds, Date.now());
  if (drop.length) log('queue bounds: dropped', drop);
  return { keep_: keep, drop_: drop };
};

/** Resolves once the database is gone, or could not be deleted. */
const deleteDatabase = () =>
  new Promise((resolve) => {
    try {
      const req = indexedDB.deleteDatabase(DB);
      req.onsuccess = req.onerror = req.onblocked = resolve;
    } catch {
      resolve(0);
    }
  });

export function createQueue(bounds: QueueBounds, log: (...a: unknown[]) => void, timeoutMs = 1500): Queue {
  const m: Mirror = { mem_: [], bytes_: 0, puts_: [], dels_: [] };
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

  return {
    add_(item) {
      m.mem_.push(item);
      m.bytes_ += item.n;
      // The first write since the last transaction opens the next one (a spare one, empty, is harmless).
      if (m.puts_.push(item) < 2)
        open()
          .then((s) => flush(m, s))
          .catch(fallback); // quota, private mode: this page goes on in memory
      dropOldest(m, bounds, log, Date.now());
    },
    async read_() {
      const known = new Set(m.mem_);
      const s = await open();
      if (!s) {
        setMem(m, bounded(m.mem_, bounds, log).keep_);
        return m.mem_;
      }
      const { keep_: keep, drop_: drop } = bounded(await all(s), bounds, log);
      if (drop.length)
        await delMany(
          drop.map((i) => i.id),
          s,
        );
      // What another tab has sent or dropped leaves the mirror too; what was added during this read
      // stays (it may not be written yet, and it keeps this page's flush timer going).
      const ids = new Set(keep.map((i) => i.id));
      setMem(
        m,
        m.mem_.filter((i) => ids.has(i.id) || !known.has(i)),
      );
      return keep;
    },
    async remove_(ids) {
      const gone = new Set(ids);
      setMem(
        m,
        m.mem_.filter((i) => !gone.has(i.id)),
      );
      const s = await open();
      if (s) await delMany(ids, s);
    },
    async destroy_() {
      setMem(m, []);
      const s = await db;
      db = undefined;
      isShared = false;
      if (s) {
        await write(s, (st) => st.clear()); // gone now, even if another tab keeps the database open a while
        s.close();
      }
      await deleteDatabase();
    },
    recent_: () => m.mem_,
    shared_: () => isShared,
  };
}
