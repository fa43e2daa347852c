/** Sends batches to the collector and reads its answers. */
import { retryAfterMs } from './backoff.js';
import type { QueueItem } from './queue-policy.js';

export interface Delivery {
  /** Items that may leave the queue: acknowledged (accepted, duplicate, rejected) or never deliverable. */
  done_: QueueItem[];
  /** Set when the rest must wait: the least delay in ms the collector asked for (0: none). */
  retry_?: number;
}

/** What delivery needs of the SDK's state (the state object itself is passed). */
export interface TransportOptions {
  /** Without a trailing slash. */
  collectorUrl_: string;
  writeKey_: string;
  fetch_: typeof fetch;
  log_: (...a: unknown[]) => void;
  /** The privacy chunk, which splits a batch the collector found too large (`split_`). */
  privacy_?: () => Promise<{ split_(items: QueueItem[], keepalive?: boolean): Promise<Delivery> }>;
}

/**
 * Delivers a batch; on 413 splits it in halves, down to single events (chunk.ts). `keepalive` is for unload:
 * a keepalive request, or a beacon when that fails.
 */
export async function deliver(items: QueueItem[], o: TransportOptions, keepalive?: boolean): Promise<Delivery> {
  const url = `${o.collectorUrl_}/v1/batch`;
  const body = JSON.stringify({ batch: items.map((i) => i.e), sentAt: new Date().toISOString(), writeKey: o.writeKey_ });
  let res: Response;
  try {
    // A string body makes the type `text/plain;charset=UTF-8`, a CORS-safelisted type: no preflight,
    // so keepalive requests and beacons work cross-origin. No cookies are sent.
    res = await o.fetch_(url, { method: 'POST', body, credentials: 'omit', keepalive });
  } catch (e) {
    // A keepalive request can fail on the 64 KB in-flight quota: a beacon may still go. Its
    // answer is unknown, so the events stay queued; the collector deduplicates the resend.
    if (keepalive) navigator.sendBeacon?.(url, body);
    o.log_('network error', e);
    return { done_: [], retry_: 0 };
  }
  const { status } = res;
  if (res.ok) {
    // Its `rejected` names each event the collector refused, and why (for debug mode).
    o.log_('sent:', await res.json().catch(() => null));
    return { done_: items };
  }
  // Over the collector's limits (rare: they changed): halves, in the privacy chunk.
  if (status === 413 && items.length > 1) return (await o.privacy_!()).split_(items, keepalive);
  if (status === 400 || status === 413 || status === 422) {
    // The same bytes can never succeed: retrying would block the queue forever.
    o.log_(status, 'dropped', items);
    return { done_: items };
  }
  o.log_(status, 'will retry');
  return { done_: [], retry_: retryAfterMs(res.headers.get('Retry-After')) };
}
