import type pg from 'pg';
import type { PgDatabase } from '../pg/database.js';
import { OWNED } from '../pg/sql.js';
import type { AuditRow, SubjectRef } from '../store.js';
import { RECEIVED, erasureRequest } from './destination.js';
import {
  type DestinationCounts,
  ERASURE_DONE,
  type OpenErasure,
  type OutboxItem,
  type OutboxStore,
  SETTLE_ERROR_MAX,
  type Settlement,
} from './outbox-store.js';

/**
 * Leases due rows: FOR UPDATE SKIP LOCKED, so the workers of several collectors on one database each take
 * other rows without waiting for one another; the lease keeps them taken after the statement commits.
 * `state <> 'sent'` lets the planner use the partial index outbox_open (it does not infer it from = 'pending').
 */
const LEASE = `WITH due AS (
  SELECT id FROM outbox WHERE destination = $1 AND state <> 'sent' AND state = 'pending' AND next_attempt_at <= $2 AND lease_until <= $2
  ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED
) UPDATE outbox o SET lease_until = $4, attempts = o.attempts + 1 FROM due WHERE o.id = due.id RETURNING o.id`;

const ITEMS = `SELECT o.id, o.kind, o.message_id AS "messageId", o.site, o.attempts, o.queued_at AS "queuedAt", o.body,
  e.payload, e.anonymous_id AS "anonymousId", e.user_id AS "userId"
  FROM outbox o LEFT JOIN events e ON o.kind = 'event' AND e.received_at = o.event_received_at AND e.message_id = o.message_id
  WHERE o.id = ANY ($1::bigint[]) ORDER BY o.id`;

const COUNTS = `SELECT destination,
  count(*) FILTER (WHERE state = 'pending' AND kind = 'event') AS pending,
  min(queued_at) FILTER (WHERE state = 'pending') AS "oldestQueuedAt",
  count(*) FILTER (WHERE state = 'pending' AND last_error IS NOT NULL) AS failing,
  count(*) FILTER (WHERE state = 'dead') AS dead,
  count(*) FILTER (WHERE state = 'withheld') AS withheld,
  count(*) FILTER (WHERE state = 'pending' AND kind = 'erasure') AS "erasuresPending",
  count(*) FILTER (WHERE state = 'dead' AND kind = 'erasure') AS "erasuresDead",
  count(*) FILTER (WHERE state = 'manual') AS "erasuresManual"
  FROM outbox WHERE state <> 'sent' GROUP BY destination ORDER BY destination`;

/** The PostgreSQL outbox: every collector's worker claims from it; settlements are one statement each. */
export class PgOutbox implements OutboxStore {
  constructor(private readonly db: PgDatabase) {}

  claim(destination: string, now: number, limit: number, leaseMs: number): Promise<OutboxItem[]> {
    return this.db.tx(async (client) => {
      const ids = (await client.query<{ id: number }>(LEASE, [destination, now, limit, now + leaseMs])).rows.map((r) => r.id);
      return ids.length === 0 ? [] : (await client.query<OutboxItem>(ITEMS, [ids])).rows;
    });
  }

  async settle(settlements: Settlement[]): Promise<void> {
    if (settlements.length === 0) return;
    const gone = settlements.filter((s) => s.state === 'gone').map((s) => s.id);
    const retry = settlements.filter((s) => s.state === 'pending');
    const done = settlements.filter((s) => s.state !== 'gone' && s.state !== 'pending');
    const error = (s: { error?: string }) => s.error?.slice(0, SETTLE_ERROR_MAX) ?? null;
    await this.db.tx(async (client) => {
      if (gone.length > 0) await client.query('DELETE FROM outbox WHERE id = ANY ($1::bigint[])', [gone]);
      if (retry.length > 0) {
        await client.query(
          `UPDATE outbox o SET next_attempt_at = u.next, lease_until = 0, last_error = u.error
           FROM unnest($1::bigint[], $2::bigint[], $3::text[]) AS u(id, next, error) WHERE o.id = u.id`,
          [retry.map((s) => s.id), retry.map((s) => s.nextAttemptAt), retry.map(error)],
        );
      }
      if (done.length > 0) {
        await client.query(
          `UPDATE outbox o SET state = u.state, done_at = u.at, lease_until = 0, last_error = u.error,
             body = CASE WHEN u.state IN ('manual', 'dead') THEN o.body END
           FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[]) AS u(id, state, at, error) WHERE o.id = u.id`,
          [done.map((s) => s.id), done.map((s) => s.state), done.map((s) => (s as { at: number }).at), done.map(error)],
        );
      }
    });
  }

  async replay(destination: string, now: number): Promise<number> {
    await this.db.start();
    const result = await this.db.pool.query(
      `UPDATE outbox SET state = 'pending', queued_at = $2, next_attempt_at = 0, lease_until = 0, done_at = NULL
       WHERE destination = $1 AND state = 'dead'`,
      [destination, now],
    );
    return result.rowCount ?? 0;
  }

  counts(): Promise<DestinationCounts[]> {
    return this.db.query<DestinationCounts & pg.QueryResultRow>(COUNTS);
  }

  async erasureDone(destination: string, receiptId: string, at: number): Promise<boolean> {
    await this.db.start();
    return ((await this.db.pool.query(ERASURE_DONE, [destination, receiptId, at])).rowCount ?? 0) > 0;
  }

  openErasures(): Promise<OpenErasure[]> {
    return this.db.query<OpenErasure & pg.QueryResultRow>(
      `SELECT destination, message_id AS "receiptId", state, queued_at AS "queuedAt", last_error AS "lastError", body AS request
       FROM outbox WHERE kind = 'erasure' AND state IN ('pending', 'dead', 'manual') ORDER BY id`,
    );
  }
}

/**
 * Erasure's part of the outbox, inside the erasure's transaction, before the events go (as in SQLite):
 * a deletion request for each destination that received the subject's events; their unsent rows dropped.
 * `owned` is OWNED's $1..$3.
 */
export async function pgOutboxErasure(
  client: pg.ClientBase,
  owned: [site: string, anonymousIds: string[], userId: string | null],
  ref: SubjectRef,
  audit: AuditRow,
): Promise<void> {
  const events = `SELECT message_id FROM events WHERE ${OWNED}`;
  const receivers = await client.query<{ destination: string }>(
    `SELECT DISTINCT destination FROM outbox WHERE ${RECEIVED} AND message_id IN (${events})`,
    owned,
  );
  await client.query(`DELETE FROM outbox WHERE kind = 'event' AND message_id IN (${events})`, owned);
  if (receivers.rows.length === 0) return;
  const request = erasureRequest(ref, owned[1], audit);
  await client.query(
    `INSERT INTO outbox (destination, kind, message_id, site, body, queued_at, next_attempt_at)
     SELECT d, 'erasure', $2, $3, $4, $5, 0 FROM unnest($1::text[]) AS d ON CONFLICT DO NOTHING`,
    [receivers.rows.map((r) => r.destination), request.messageId, ref.site, JSON.stringify(request), audit.at],
  );
}
