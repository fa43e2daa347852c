/**
 * The outbox as both stores keep it (SQLite: sqlite-outbox.ts; PostgreSQL: pg-outbox.ts). Rows are
 * queued by the store itself, in the transaction that stores an event (or erases a subject); the
 * worker (worker.ts) claims due rows with a lease, sends them and settles each.
 */

export interface OutboxItem {
  id: number;
  kind: 'event' | 'erasure';
  /** The event's messageId (the idempotency key), or the erasure's receipt id. */
  messageId: string;
  site: string;
  /** Attempts so far, this one included. */
  attempts: number;
  /** When it was queued (or replayed): a dead letter after `deadLetterHours` from here. */
  queuedAt: number;
  /** An erasure's request (JSON ErasureRequest). */
  body: string | null;
  /** An event's stored payload; null when the event is gone (expired). */
  payload: string | null;
  anonymousId: string | null;
  userId: string | null;
}

/** The outcome of one claimed row. `gone`: its event expired, the row is dropped. */
export type Settlement =
  | { id: number; state: 'sent' | 'withheld' | 'manual' | 'dead'; at: number; error?: string }
  | { id: number; state: 'pending'; nextAttemptAt: number; error: string }
  | { id: number; state: 'gone' };

/** What the operator sees per destination (GET /v1/destinations, metrics). Sent rows are not counted here. */
export interface DestinationCounts {
  destination: string;
  /** Events waiting to be delivered (retries included). */
  pending: number;
  /** Queue time of the oldest pending row, or null. */
  oldestQueuedAt: number | null;
  /** Pending rows whose last attempt failed. */
  failing: number;
  dead: number;
  withheld: number;
  erasuresPending: number;
  erasuresDead: number;
  erasuresManual: number;
}

/** An erasure propagation that needs the operator: failed for good, or a manual step. */
export interface OpenErasure {
  destination: string;
  receiptId: string;
  state: 'dead' | 'manual' | 'pending';
  queuedAt: number;
  lastError: string | null;
  /** The request, with the ids to delete by hand (kept until the row is done with). */
  request: string | null;
}

export interface OutboxStore {
  /** Leases up to `limit` due rows of a destination until `now + leaseMs` and counts an attempt on each. */
  claim(destination: string, now: number, limit: number, leaseMs: number): Promise<OutboxItem[]>;
  settle(settlements: Settlement[]): Promise<void>;
  /** Puts a destination's dead letters back in the queue, due now; returns how many. */
  replay(destination: string, now: number): Promise<number>;
  counts(): Promise<DestinationCounts[]>;
  /** Erasure propagations not delivered (pending, dead, manual). */
  openErasures(): Promise<OpenErasure[]>;
  /**
   * The operator did a manual or failed erasure by hand: the row is done and its ids are cleared. False when
   * there is no such open row.
   */
  erasureDone(destination: string, receiptId: string, at: number): Promise<boolean>;
}

export const SETTLE_ERROR_MAX = 500;

/** erasureDone's statement: $1 destination, $2 receipt id, $3 time. */
export const ERASURE_DONE = `UPDATE outbox SET state = 'sent', done_at = $3, body = NULL, last_error = 'done by the operator'
  WHERE kind = 'erasure' AND destination = $1 AND message_id = $2 AND state IN ('manual', 'dead')`;

/**
 * Retention (`$1`/`?`: the cutoff): the delivery records of expired events (their event is gone, so nothing
 * links them to a person any more) and delivered erasure requests. Pending rows of an expired event are
 * dropped by the worker ('gone'); dead and manual erasures wait for the operator.
 */
export const PURGE_OUTBOX = `DELETE FROM outbox WHERE queued_at < $1
  AND ((kind = 'event' AND state <> 'pending') OR (kind = 'erasure' AND state = 'sent'))`;
