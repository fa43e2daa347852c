/**
 * One interface for every place events are forwarded to (webhook, GA4; room for more): send a batch,
 * propagate an erasure. The outbox worker (worker.ts) calls them off the request path, with a timeout.
 */
import type { AuditRow, SubjectRef } from '../store.js';
import type { DestinationConfig } from './config.js';

/** A stored event on its way out: its messageId is the idempotency key. */
export interface OutboundEvent {
  messageId: string;
  anonymousId: string | null;
  userId: string | null;
  /** The event as stored (Segment spec, skew-corrected). */
  payload: Record<string, unknown>;
}

/** Art. 17(2): tell a recipient that a subject was erased. `messageId` is the erasure's receipt id. */
export interface ErasureRequest {
  messageId: string;
  site: string;
  erasedAt: string;
  userId: string | null;
  anonymousIds: string[];
}

/** The deletion request of an erasure (made inside the store's transaction: no clock, no new id). */
export function erasureRequest(ref: SubjectRef, anonymousIds: string[], audit: AuditRow): ErasureRequest {
  return {
    messageId: audit.receiptId ?? `${audit.subjectHash}.${audit.at}`,
    site: ref.site,
    erasedAt: new Date(audit.at).toISOString(),
    userId: ref.kind === 'user' ? ref.id : null,
    anonymousIds,
  };
}

/** Outbox rows that say a destination received, or may have received (a timed-out attempt), an event. */
export const RECEIVED = `kind = 'event' AND (state = 'sent' OR (attempts > 0 AND state IN ('pending', 'dead')))`;

/** The outcome of one request: delivered, or why not and when to try again. */
export type Delivery =
  | { ok: true /** The recipient offers no API for this: what the operator must do by hand. */; manual?: string }
  | {
      ok: false;
      reason: string /** From Retry-After. */;
      retryAfterMs?: number /** Retrying cannot help (4xx). */;
      permanent?: boolean;
    };

export interface Destination {
  readonly config: DestinationConfig;
  readonly site: string;
  send(events: OutboundEvent[], signal: AbortSignal): Promise<Delivery>;
  erase(request: ErasureRequest, signal: AbortSignal): Promise<Delivery>;
}

/** Statuses a retry can fix: timeouts, conflicts, rate limits and server errors. */
const RETRYABLE = new Set([408, 409, 425, 429]);

/** Retry-After as milliseconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** POSTs `body` and classifies the answer; never throws (a network error or timeout is a retryable failure). */
export async function post(
  url: string,
  body: string,
  headers: Record<string, string>,
  signal: AbortSignal,
  now: () => number,
): Promise<Delivery> {
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', body, headers: { 'Content-Type': 'application/json', ...headers }, signal });
  } catch (error) {
    const reason = signal.aborted
      ? `aborted (${(signal.reason as Error)?.name === 'TimeoutError' ? 'timed out' : 'collector stopping'})`
      : `network error: ${(error as Error).cause ?? (error as Error).message}`;
    return { ok: false, reason };
  }
  // The body is not needed, but must be read or cancelled to free the connection.
  await response.body?.cancel().catch(() => {});
  if (response.ok) return { ok: true };
  const reason = `HTTP ${response.status}`;
  const retryAfter = retryAfterMs(response.headers.get('retry-after'), now());
  const permanent = response.status < 500 && !RETRYABLE.has(response.status);
  return {
    ok: false,
    reason,
    ...(retryAfter !== undefined ? { retryAfterMs: retryAfter } : {}),
    ...(permanent ? { permanent } : {}),
  };
}
