/**
 * The event queue: IndexedDB (a database of Tillit's own, opened only after consent) shared by
 * the site's tabs, with this page's unacknowledged events mirrored in memory. When IndexedDB is
 * missing, throws or hangs, the memory mirror is the whole queue.
 *
 * One record holds the events one task added (a chunk), keyed by the first one's id: Chromium
 * spends ~25 µs of main thread per put however small the record, and its IndexedDB backend took
 * seconds to work through a put and a delete per event in a burst, while the flush's read and
 * deletes waited behind them (the profile: 10,000 puts, 680 ms; ~200 events/s delivered).
 */
import { promisifyRequest } from 'idb-keyval';
import { dropOldest, type Mirror, type QueueBounds, type QueueItem, setMem } from './queue-policy.js';

export interface Queue {
  /** Queues an item now; the IndexedDB write runs in the background. */
  add_(item: QueueItem): void;
  /** Every queued item in tracking order, after dropping what is beyond the bounds. */
  read_(): Promise<QueueItem[]>;
  /** Removes acknowledged (or undeliverable) items. */
  remove_(items: QueueItem[]): Promise<void>;
  /**
   * Forgets this page's items, pending writes included, and lets go of the database: destroyQueue's first
   * step. The queue opens a database again only once `deleted` settles (a connection opened before the
   * deletion would be deleted with what it writes).
   */
  detach_(deleted: Promise<unknown>): Promise<IDBDatabase | null> | undefined;
  /** This page's items not yet acknowledged: readable synchronously, for the unload beacon. */
  recent_(): QueueItem[];
  /** True when the queue lives in IndexedDB, which other tabs share. */
  shared_(): boolean;
}

const DB = 'tillit';
const STORE = 'queue';
/** A transaction's store: read-only unless `mode` says otherwise (IndexedDB's default). */
const store = (db: IDBDatabase, mode?: IDBTransactionMode) => db.transaction(STORE, mode).objectStore(STORE);
// getAll is everywhere now; idb-keyval's values() carries a cursor fallback for old browsers. An
// older SDK stored one item per record: flat() reads both.
const all = (db: IDBDatabase) =>
  promisifyRequest(store(db).getAll() as IDBRequest<(QueueItem | QueueItem[])[]>).then((r) => r.flat());
const write = (db: IDBDatabase, fn: (st: IDBObjectStore) => void) => {
  const st = store(db, 'readwrite');
  fn(st);
  return promisifyRequest(st.transaction);
};
/** Takes items out of their chunks, in the caller's transaction: what is left is written back, an empty chunk deleted. */
const removeFrom = (st: IDBObjectStore, items: QueueItem[]) => {
  const ids = new Set(items.map((i) => i.id));
  for (const key of new Set(items.map((i) => i.k ?? i.id))) {
    const req = st.get(key);
    req.onsuccess = () => {
      const left = [req.result ?? []].flat().filter((i: QueueItem) => !ids.has(i.id));
      left[0] ? st.put(left, key) : st.delete(key);
    };
  }
};
const delMany = (items: QueueItem[], db: IDBDatabase) => write(db, (st) => removeFrom(st, items));

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

/** Hands the pending writes to one transaction (none when the queue is in memory). */
function flush(m: Mirror, db: IDBDatabase | null) {
  const { puts_, dels_ } = m;
  m.puts_ = [];
  m.dels_ = [];
  return (
    db &&
    write(db, (st) => {
      if (puts_[0]) st.put(puts_, puts_[0].k);
      removeFrom(st, dels_);
    }).then(() => puts_.map((i) => (i.w_ = 1)))
  );
}

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

/** Clears the queue and deletes the database (withdrawal of everything, erasure: in the privacy chunk). */
export async function destroyQueue(queue: Queue) {
  let deleted!: (v?: unknown) => void;
  const s = await queue.detach_(new Promise((resolve) => (deleted = resolve)));
  try {
    if (s) {
      await write(s, (st) => st.clear()); // gone now, even if another tab keeps the database open a while
      s.close();
    }
    await deleteDatabase();
  } finally {
    deleted();
  }
}

const mirror = (): Mirror => ({ mem_: [], bytes_: 0, puts_: [], dels_: [] });

export function createQueue(bounds: QueueBounds, log: (...a: unknown[]) => void, timeoutMs = 1500): Queue {
  /** This page's unacknowledged items (a new mirror after each detach_). */
  let m = mirror();
  let db: Promise<IDBDatabase | null> | undefined;
  let deleted: unknown;
  let isShared = false;

  const fallback = (why: unknown) => {
    log('IndexedDB unavailable, queue in memory:', why);
    isShared = false;
    db = Promise.resolve(null);
    return null;
  };

  // The database opens on first use only: before consent nothing may create it.
  const open = () =>
    (db ??= Promise.resolve(deleted)
      .then(() =>
        openDatabase(timeoutMs, () => {
          db = undefined;
        }),
      )
      .then((store) => {
        isShared = true;
        return store;
      }, fallback));

  return {
    add_(item) {
      const to = m; // a write still pending at a withdrawal goes to the old database, which is deleted
      m.mem_.push(item);
      m.bytes_ += item.n;
      item.k = m.puts_[0]?.k ?? item.id; // its record: keyed by the first of this write, even if that one was dropped
      // The first write since the last transaction opens the next one (a spare one, empty, is harmless).
      if (m.puts_.push(item) < 2)
        open()
          .then((s) => flush(to, s))
          .catch(fallback); // quota, private mode: this page goes on in memory
      // This page's oldest beyond the bounds are beyond them in the shared queue too: they leave
      // IndexedDB now (or are never written), one per add, not thousands at the next read.
      dropOldest(m, bounds, log, Date.now());
    },
    async read_() {
      const known = new Set(m.mem_);
      const s = await open();
      const now = Date.now();
      if (!s) {
        dropOldest(m, bounds, log, now);
        return m.mem_;
      }
      const read = mirror();
      setMem(read, await all(s));
      dropOldest(read, bounds, log, now);
      if (read.dels_[0]) await delMany(read.dels_, s);
      const keep = read.mem_;
      // What another tab has sent or dropped leaves the mirror too; what was added during this read
      // stays (it may not be written yet, and it keeps this page's flush timer going).
      const ids = new Set(keep.map((i) => i.id));
      setMem(
        m,
        m.mem_.filter((i) => ids.has(i.id) || !known.has(i)),
      );
      return keep;
    },
    async remove_(items) {
      const gone = new Set(items.map((i) => i.id));
      setMem(
        m,
        m.mem_.filter((i) => !gone.has(i.id)),
      );
      const s = await open();
      if (s) await delMany(items, s);
    },
    detach_(until) {
      m = mirror();
      deleted = until;
      const opened = db;
      db = undefined;
      isShared = false;
      return opened;
    },
    recent_: () => m.mem_,
    shared_: () => isShared,
  };
}
