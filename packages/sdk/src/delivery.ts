/**
 * Delivery of the queued events: when to flush, one flush at a time, backoff after failures, and
 * the keepalive send when the page goes away.
 */
import { backoffDelay } from './backoff.js';
import { MAX_BATCH_EVENTS, type QueueItem, toBatches } from './queue-policy.js';
import { parseJson, warn } from './safe.js';
import { grantedNow, purposeNow, type State } from './state.js';
import { deliver } from './transport.js';

/** localStorage, after consent, only between a pagehide and the next page: this page's unsent events. */
export const UNSENT_KEY = 'tillit_unsent';

export interface Delivery {
  /** Flushes in `ms` (not before a pending retry), unless a flush is already due sooner. @defaultValue the batch interval */
  schedule_(ms?: number): void;
  /** An event was queued: flushes at once when a batch is full, else after the interval. */
  queued_(): void;
  /** Sends what is queued now; resolves when the attempt ends. */
  flush_(): Promise<void>;
  /** The page is going away (or hidden): sends this page's events now, in one keepalive request. */
  unload_(): void;
  /** Back online: forgets the backoff and sends now. */
  retryNow_(): void;
}

/** The last page's unsent events (of purposes still granted) go back into the queue. */
export function restoreUnsent(s: State) {
  for (const item of parseJson<QueueItem[]>(s.local_.getItem(UNSENT_KEY)) ?? []) if (purposeNow(s, item.p)) s.queue_.add_(item);
  s.local_.removeItem(UNSENT_KEY);
}

export function createDelivery(s: State): Delivery {
  const { batchSize_: batchSize, intervalMs_: intervalMs, queue_: queue, log_: log } = s;
  let failures = 0; // consecutive failed deliveries: the backoff's exponent
  let retryAt = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let timerAt = 0;
  let flushing: Promise<void> | undefined;

  // An event of a purpose withdrawn a moment ago may still sit in the queue: never send it.
  const sendable = (items: QueueItem[]) => items.filter((i) => purposeNow(s, i.p));

  const schedule = (ms = intervalMs) => {
    const at = Math.max(Date.now() + ms, retryAt);
    if (timer && timerAt <= at) return;
    clearTimeout(timer);
    timerAt = at;
    timer = setTimeout(() => {
      timer = undefined;
      flushOnce();
    }, at - Date.now());
  };

  /**
   * Sends the queue in requests of up to 64 KB and 500 events, not of batch.size (30 events a request
   * left delivery at ~200 events/s: each request costs a round trip and a commit), nor up to the
   * collector's 512 KB: in Chromium the fetch() call of a 225 KB body took 10-26 ms of main thread, and
   * with the response's handling and the next body's JSON one task of 50-70 ms. The queue is read once a flush
   * (reading it again for what this page queued meanwhile left gaps between requests): then, while a
   * full batch of this page's events waits, those go from memory, this tab keeping the flush lock. A
   * request does not wait for the last one's events to leave IndexedDB (in a burst the delete queues
   * behind the page's writes, hundreds of ms); the flush does. true when the rest must wait for a retry.
   */
  const send = async (): Promise<boolean> => {
    const removals: Promise<void>[] = [];
    try {
      // What the read found (anything), then from memory (a full batch).
      for (
        let items = sendable(await queue.read_());
        items.length >= (removals[0] ? batchSize : 1);
        items = sendable(queue.recent_())
      )
        for (const batch of toBatches(items, MAX_BATCH_EVENTS)) {
          const result = await deliver(batch, s);
          removals.push(queue.remove_(result.done_));
          if (result.retry_ !== undefined) {
            const ms = Math.max(result.retry_, backoffDelay(failures++));
            retryAt = Date.now() + ms;
            log('retry in ms', ms);
            return true;
          }
          failures = retryAt = 0;
        }
      return false;
    } finally {
      await Promise.all(removals);
    }
  };

  /** One tab at a time reads the shared queue and sends it (Web Locks; absent on plain http). */
  const flushOnce = (): Promise<void> =>
    (flushing ??= (async () => {
      let again: unknown;
      try {
        // Not before an await: a finally run at once would clear `flushing` before it is set, and every
        // later flush would get this settled one (after a withdrawal nothing was sent again on the page).
        await 0;
        if (!grantedNow(s).length) return;
        const locks = queue.shared_() && navigator.locks;
        // 0: another tab's flush holds the lock.
        again = locks ? await locks.request('tillit-flush', { ifAvailable: true }, (lock) => (lock ? send() : 0)) : await send();
      } catch (e) {
        warn(e);
      } finally {
        flushing = undefined;
        // A full batch that came in meanwhile goes at once (not before a retry is due), less waits the
        // interval, as does this page while another tab flushes (not a busy loop of lock requests).
        if (again === 0) schedule();
        else if (again || queue.recent_().length) queued();
      }
    })());

  const queued = () => schedule(queue.recent_().length >= batchSize ? 0 : undefined);

  const unload = () => {
    const items = sendable(queue.recent_());
    if (!items[0]) return;
    // An IndexedDB write still in flight dies with the page; localStorage is synchronous. The next
    // page moves these back into the queue (same keys: no copies; the collector deduplicates). Only
    // those: the written ones are safe, and the queue may hold megabytes.
    s.local_.setItem(UNSENT_KEY, JSON.stringify(items.filter((i) => !i.w_)));
    deliver(toBatches(items, batchSize)[0]!, s, true).then((r) => queue.remove_(r.done_), warn);
  };

  return {
    schedule_: schedule,
    queued_: queued,
    // After a flush in progress, one more: it may have read the queue before the latest events.
    flush_: () => (flushing ? flushing.then(flushOnce) : flushOnce()),
    unload_: unload,
    retryNow_() {
      failures = retryAt = 0;
      flushOnce();
    },
  };
}
