/** Queue bounds and batch shaping, with no platform access. */
import type { Event, LIMITS } from '@tillit/schema';

/** One queued event. Short keys: these sit in IndexedDB by the thousand. */
export interface QueueItem {
  /** messageId (UUID v7), also the IndexedDB key, so keys sort by tracking time. */
  id: string;
  /** The purpose the event serves. */
  p: string;
  /** Size of the event as UTF-8 JSON. */
  n: number;
  /** When it was queued (ms). */
  t: number;
  e: Event;
  /** The key of the IndexedDB record (chunk) that holds it; items an older SDK queued sit under their own id. */
  k?: string;
  /** Set once its IndexedDB write has completed (on this page's copy only: it is never written). */
  w_?: 1;
}

export interface QueueBounds {
  maxEvents_: number;
  maxBytes_: number;
  maxAgeMs_: number;
}

/** Browsers cap keepalive and beacon bodies at 64 KB; the schema's LIMITS says the same (checked by the type). */
export const MAX_REQUEST_BYTES: (typeof LIMITS)['maxClientRequestBytes'] = 65536;
/** The collector's limit of events in one batch (the schema's LIMITS; checked by the type): a flush's requests go up to it and 64 KB. */
export const MAX_BATCH_EVENTS: (typeof LIMITS)['maxBatchEvents'] = 500;
/** The collector's limit for one event as UTF-8 JSON (the schema's LIMITS; checked by the type). */
export const MAX_EVENT_BYTES: (typeof LIMITS)['maxEventBytes'] = 32768;
/** Room for `{"batch":[],"sentAt":"…","writeKey":"…"}` around the events, with a write key of up to 256 characters. */
export const ENVELOPE_BYTES = 400;

/** Queued items, oldest first (`_` ends internal names: the build mangles them). */
export interface Mirror {
  mem_: QueueItem[];
  /** Running total of mem_'s `n`: the bounds are enforced per add without going over the whole list. */
  bytes_: number;
  /** Writes not yet handed to IndexedDB: everything added in one task goes in one transaction. */
  puts_: QueueItem[];
  /** What is to leave IndexedDB. */
  dels_: QueueItem[];
}

export const setMem = (m: Mirror, items: QueueItem[]) => {
  m.mem_ = items;
  m.bytes_ = items.reduce((s, i) => s + i.n, 0);
};

/**
 * Drops the oldest while the list is beyond its bounds (count, bytes, or the oldest too old): an
 * item not yet written is never written, a written one is marked to leave IndexedDB.
 */
export function dropOldest(m: Mirror, bounds: QueueBounds, log: (...a: unknown[]) => void, now: number) {
  const mem = m.mem_;
  while (mem[0] && (mem.length > bounds.maxEvents_ || m.bytes_ > bounds.maxBytes_ || now - mem[0].t >= bounds.maxAgeMs_)) {
    const d = mem.shift()!;
    m.bytes_ -= d.n;
    log('queue bounds: dropped', d);
    const k = m.puts_.indexOf(d);
    if (k < 0) m.dels_.push(d);
    else m.puts_.splice(k, 1);
  }
}

/** Groups items into batches of at most `maxEvents` events and `maxBytes` of request body, in order. */
export function toBatches(items: QueueItem[], maxEvents: number, maxBytes: number = MAX_REQUEST_BYTES): QueueItem[][] {
  const out: QueueItem[][] = [];
  let cur: QueueItem[] = [];
  let bytes = ENVELOPE_BYTES;
  for (const i of items) {
    if (cur.length && (cur.length >= maxEvents || bytes + i.n + 1 > maxBytes)) {
      out.push(cur);
      cur = [];
      bytes = ENVELOPE_BYTES;
    }
    cur.push(i);
    bytes += i.n + 1;
  }
  if (cur.length) out.push(cur);
  return out;
}

/**
 * UTF-8 length of a string: each UTF-16 unit is 1 byte, 2 from U+0080 and 3 from U+0800, a surrogate
 * 2 (a pair is 4). Regular expressions, not TextEncoder: in Chromium `encode` (an allocation per call)
 * took ~8 µs for a 450-byte event, these ~1 µs.
 */
export const utf8Bytes = (s: string) => s.replace(/[\x80-\u07ff\ud800-\udfff]/g, '..').replace(/[\u0800-\uffff]/g, '...').length;
