import type Database from 'better-sqlite3';
import type { AuditRow, SubjectRef } from '../store.js';
import { RECEIVED, erasureRequest } from './destination.js';
import {
  type DestinationCounts,
  type OpenErasure,
  type OutboxItem,
  type OutboxStore,
  ERASURE_DONE,
  PURGE_OUTBOX,
  SETTLE_ERROR_MAX,
  type Settlement,
} from './outbox-store.js';

/** Runs outbox writes after the rows waiting for the group commit (GroupCommitter.exclusive). */
type Exclusive = <T>(fn: () => T) => Promise<T>;

const COUNTS = `SELECT destination,
  sum(state = 'pending' AND kind = 'event') AS pending,
  min(CASE WHEN state = 'pending' THEN queued_at END) AS oldestQueuedAt,
  sum(state = 'pending' AND last_error IS NOT NULL) AS failing,
  sum(state = 'dead') AS dead,
  sum(state = 'withheld') AS withheld,
  sum(state = 'pending' AND kind = 'erasure') AS erasuresPending,
  sum(state = 'dead' AND kind = 'erasure') AS erasuresDead,
  sum(state = 'manual') AS erasuresManual
  FROM outbox WHERE state <> 'sent' GROUP BY destination ORDER BY destination`;

/**
 * The SQLite outbox: claims and settlements run on the main connection between group commits. The claim
 * says `state <> 'sent'` so that SQLite uses the partial index outbox_open (seen in EXPLAIN QUERY PLAN: a
 * full scan and a sort without it).
 */
export class SqliteOutbox implements OutboxStore {
  private readonly sql;

  constructor(
    private readonly db: Database.Database,
    private readonly exclusive: Exclusive,
  ) {
    this.sql = {
      lease: db.prepare(`UPDATE outbox SET lease_until = @leaseUntil, attempts = attempts + 1 WHERE id IN (
        SELECT id FROM outbox WHERE destination = @destination AND state <> 'sent' AND state = 'pending' AND next_attempt_at <= @now
        AND lease_until <= @now ORDER BY next_attempt_at, id LIMIT @limit) RETURNING id`),
      items: db.prepare(`SELECT o.id, o.kind, o.message_id AS messageId, o.site, o.attempts, o.queued_at AS queuedAt, o.body,
        e.payload, e.anonymous_id AS anonymousId, e.user_id AS userId
        FROM outbox o LEFT JOIN events e ON o.kind = 'event' AND e.message_id = o.message_id
        WHERE o.id IN (SELECT value FROM json_each(?)) ORDER BY o.id`),
      done: db.prepare(`UPDATE outbox SET state = @state, done_at = @at, lease_until = 0, last_error = @error,
        body = CASE WHEN @state IN ('manual', 'dead') THEN body END WHERE id = @id`),
      retry: db.prepare(
        'UPDATE outbox SET next_attempt_at = @nextAttemptAt, lease_until = 0, last_error = @error WHERE id = @id',
      ),
      drop: db.prepare('DELETE FROM outbox WHERE id = ?'),
      replay:
        db.prepare(`UPDATE outbox SET state = 'pending', queued_at = @now, next_attempt_at = 0, lease_until = 0, done_at = NULL
        WHERE destination = @destination AND state = 'dead'`),
      counts: db.prepare(COUNTS),
      purge: db.prepare(PURGE_OUTBOX.replace('$1', '?')),
      erasureDone: db.prepare(ERASURE_DONE.replace('$1', '@destination').replace('$2', '@receiptId').replace('$3', '@at')),
      openErasures:
        db.prepare(`SELECT destination, message_id AS receiptId, state, queued_at AS queuedAt, last_error AS lastError,
        body AS request FROM outbox WHERE kind = 'erasure' AND state IN ('pending', 'dead', 'manual') ORDER BY id`),
    };
  }

  claim(destination: string, now: number, limit: number, leaseMs: number): Promise<OutboxItem[]> {
    const { lease, items } = this.sql;
    return this.exclusive(
      this.db.transaction(() => {
        const ids = (lease.all({ destination, now, limit, leaseUntil: now + leaseMs }) as { id: number }[]).map((r) => r.id);
        return ids.length === 0 ? [] : (items.all(JSON.stringify(ids)) as OutboxItem[]);
      }),
    );
  }

  async settle(settlements: Settlement[]): Promise<void> {
    if (settlements.length === 0) return;
    const { done, retry, drop } = this.sql;
    await this.exclusive(
      this.db.transaction(() => {
        for (const s of settlements) {
          if (s.state === 'gone') drop.run(s.id);
          else if (s.state === 'pending') retry.run({ ...s, error: s.error.slice(0, SETTLE_ERROR_MAX) });
          else done.run({ id: s.id, state: s.state, at: s.at, error: s.error?.slice(0, SETTLE_ERROR_MAX) ?? null });
        }
      }),
    );
  }

  replay(destination: string, now: number): Promise<number> {
    return this.exclusive(() => this.sql.replay.run({ destination, now }).changes);
  }

  erasureDone(destination: string, receiptId: string, at: number): Promise<boolean> {
    return this.exclusive(() => this.sql.erasureDone.run({ destination, receiptId, at }).changes > 0);
  }

  /** Retention's part (PURGE_OUTBOX). */
  async deleteExpired(cutoff: number): Promise<void> {
    await this.exclusive(() => this.sql.purge.run(cutoff));
  }

  async counts(): Promise<DestinationCounts[]> {
    return this.sql.counts.all() as DestinationCounts[];
  }

  async openErasures(): Promise<OpenErasure[]> {
    return this.sql.openErasures.all() as OpenErasure[];
  }
}

/** The `OWNED` condition of sqlite-statements.ts, for the subject's events. */
const OWNED_EVENTS = `SELECT message_id FROM events WHERE site = @site
  AND (anonymous_id IN (SELECT value FROM json_each(@anonIds)) OR user_id = @userId)`;

/**
 * Erasure's part of the outbox, run inside the erasure's transaction (before its events are deleted):
 * the destinations that may have received the subject's events (delivered, or tried: a timed-out request
 * may have arrived) get a deletion request; the subject's rows not yet sent are dropped.
 */
export function outboxErasure(db: Database.Database) {
  const receivers = db
    .prepare(`SELECT DISTINCT destination FROM outbox WHERE ${RECEIVED} AND message_id IN (${OWNED_EVENTS})`)
    .pluck();
  const forget = db.prepare(`DELETE FROM outbox WHERE kind = 'event' AND message_id IN (${OWNED_EVENTS})`);
  const enqueue = db.prepare(`INSERT OR IGNORE INTO outbox (destination, kind, message_id, site, body, queued_at, next_attempt_at)
    VALUES (?, 'erasure', ?, ?, ?, ?, 0)`);
  return (
    params: { site: string; anonIds: string; userId: string | null },
    ref: SubjectRef,
    anonIds: string[],
    audit: AuditRow,
  ) => {
    const destinations = receivers.all(params) as string[];
    forget.run(params);
    if (destinations.length === 0) return;
    const request = erasureRequest(ref, anonIds, audit);
    const body = JSON.stringify(request);
    for (const destination of destinations) enqueue.run(destination, request.messageId, ref.site, body, audit.at);
  };
}
