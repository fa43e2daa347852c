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
}

export interface QueueBounds {
  maxEvents_: number;
  maxBytes_: number;
  maxAgeMs_: number;
}

/** Browsers cap keepalive and beacon bodies at 64 KB; the schema's LIMITS says the same (checked by the type). */
export const MAX_REQUEST_BYTES: (typeof LIMITS)['maxClientRequestBytes'] = 65536;
/** The collector's limit for one event as UTF-8 JSON (the schema's LIMITS; checked by the type). */
export const MAX_EVENT_BYTES: (typeof LIMITS)['maxEventBytes'] = 32768;
/** Room for `{"batch":[],"sentAt":"…","writeKey":"…"}` around the events, with a write key of up to 256 characters. */
export const ENVELOPE_BYTES = 400;

/** Splits (time-ordered) items into those to keep and those to drop: too old first, then the oldest beyond count or bytes. */
export function trim(items: QueueItem[], b: QueueBounds, now: number): { keep_: QueueItem[]; drop_: QueueItem[] } {
  const drop: QueueItem[] = [];
  let keep: QueueItem[] = [];
  for (const i of items) (now - i.t < b.maxAgeMs_ ? keep : drop).push(i);
  let bytes = keep.reduce((s, i) => s + i.n, 0);
  let cut = 0;
  while (cut < keep.length && (keep.length - cut > b.maxEvents_ || bytes > b.maxBytes_)) bytes -= keep[cut++]!.n;
  drop.push(...keep.slice(0, cut));
  keep = keep.slice(cut);
  return { keep_: keep, drop_: drop };
}

/** Groups items into batches of at most `maxEvents` events and MAX_REQUEST_BYTES of request body, in order. */
export function toBatches(items: QueueItem[], maxEvents: number): QueueItem[][] {
  const out: QueueItem[][] = [];
  let cur: QueueItem[] = [];
  let bytes = ENVELOPE_BYTES;
  for (const i of items) {
    if (cur.length && (cur.length >= maxEvents || bytes + i.n + 1 > MAX_REQUEST_BYTES)) {
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

/** UTF-8 length of a string. */
export const utf8Bytes = (s: string) => new TextEncoder().encode(s).length;
