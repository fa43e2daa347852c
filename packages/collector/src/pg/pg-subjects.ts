/** A subject's data in PostgreSQL: access (one snapshot) and erasure (one transaction). */
import type pg from 'pg';
import type {
  AuditRow,
  ConsentRow,
  ErasureCounts,
  EventRow,
  IdentityLinkRow,
  RequestRow,
  SubjectRef,
  SubjectRows,
  Suppression,
} from '../store.js';
import { pgOutboxErasure } from '../destinations/pg-outbox.js';
import type { PgDatabase } from './database.js';
import {
  AUDIT_COLUMNS,
  CONSENT_COLUMNS,
  EVENT_COLUMNS,
  INSERT_AUDIT,
  LINK_COLUMNS,
  OWNED,
  OWNED_LINKS,
  REQUEST_COLUMNS,
} from './sql.js';

type Owned = [site: string, anonymousIds: string[], userId: string | null];

/** $1..$3 of OWNED: the site, the subject's anonymous ids (for a user, each one with a proven link), the user id. */
async function ownedParams(client: pg.ClientBase, ref: SubjectRef): Promise<Owned> {
  if (ref.kind === 'anonymous') return [ref.site, [ref.id], null];
  const linked = await client.query<{ a: string }>(
    'SELECT anonymous_id AS a FROM identity_links WHERE site = $1 AND user_id = $2 AND proven',
    [ref.site, ref.id],
  );
  return [ref.site, linked.rows.map((r) => r.a), ref.id];
}

/** Every row about the subject, from one REPEATABLE READ snapshot. */
export function readPgSubject(db: PgDatabase, ref: SubjectRef, subjectHash: string): Promise<SubjectRows> {
  return db.tx(async (client) => {
    const p = await ownedParams(client, ref);
    const all = async <T extends pg.QueryResultRow>(sql: string, params: unknown[]) => (await client.query<T>(sql, params)).rows;
    return {
      subjects: await all<{ anonymousId: string; createdAt: number }>(
        `SELECT anonymous_id AS "anonymousId", created_at AS "createdAt" FROM subjects
         WHERE site = $1 AND anonymous_id = ANY ($2::text[]) ORDER BY created_at`,
        [p[0], p[1]],
      ),
      events: await all<EventRow>(`SELECT ${EVENT_COLUMNS} FROM events WHERE ${OWNED} ORDER BY timestamp, seq`, p),
      consent: await all<ConsentRow>(`SELECT ${CONSENT_COLUMNS} FROM consent_records WHERE ${OWNED} ORDER BY id`, p),
      links: await all<IdentityLinkRow>(`SELECT ${LINK_COLUMNS} FROM identity_links WHERE ${OWNED_LINKS}`, p),
      audit: await all<AuditRow>(`SELECT ${AUDIT_COLUMNS} FROM audit_log WHERE subject_hash = $1 ORDER BY id`, [subjectHash]),
      requests: await all<RequestRow>(
        `SELECT ${REQUEST_COLUMNS} FROM dsr_requests WHERE subject_hash = $1 ORDER BY received_at`,
        [subjectHash],
      ),
    };
  }, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
}

/** Deletes the subject's rows (events, links, secrets) and pseudonymises their consent records. */
async function deleteOwned(client: pg.ClientBase, ref: SubjectRef, p: Owned, subjectHash: string): Promise<ErasureCounts> {
  const count = async (sql: string, params: unknown[]) => Number((await client.query<{ n: number }>(sql, params)).rows[0]!.n);
  await client.query('DELETE FROM subject_secrets WHERE site = $1 AND anonymous_id = ANY ($2::text[])', [p[0], p[1]]);
  return {
    events: await count(
      `WITH gone AS (DELETE FROM events WHERE ${OWNED} RETURNING message_id),
       ids AS (DELETE FROM event_ids WHERE message_id IN (SELECT message_id FROM gone))
       SELECT count(*) AS n FROM gone`,
      p,
    ),
    // Every link naming the subject goes, claimed ones too: they carry its id.
    identityLinks:
      (ref.kind === 'user'
        ? await client.query('DELETE FROM identity_links WHERE site = $1 AND user_id = $2', [p[0], p[2]])
        : await client.query('DELETE FROM identity_links WHERE site = $1 AND anonymous_id = ANY ($2::text[])', [p[0], p[1]])
      ).rowCount ?? 0,
    subjects: (await client.query('DELETE FROM subjects WHERE site = $1 AND anonymous_id = ANY ($2::text[])', [p[0], p[1]]))
      .rowCount!,
    consentRecords: await count('SELECT tillit_pseudonymise_consent($1, $2, $3, $4) AS n', [...p, subjectHash]),
  };
}

export function insertPgAudit(client: pg.ClientBase | pg.Pool, row: AuditRow): Promise<unknown> {
  return client.query(INSERT_AUDIT, [row.at, row.site, row.action, row.subjectHash, row.via, row.outcome, row.receiptId]);
}

/**
 * Erases the subject in one transaction under the erasure lock held exclusive: it waits for every ingest
 * and consent transaction in flight on any collector; later ones wait for it, then see its suppressions.
 */
export async function erasePgSubject(
  db: PgDatabase,
  ref: SubjectRef,
  subjectHash: string,
  hashOf: (kind: SubjectRef['kind'], id: string) => string,
  audit: AuditRow,
): Promise<{ counts: ErasureCounts; suppressed: Suppression[] }> {
  return db.tx(async (client) => {
    await db.lock(client, 'erasure', false);
    const p = await ownedParams(client, ref);
    await pgOutboxErasure(client, p, ref, audit);
    const counts = await deleteOwned(client, ref, p, subjectHash);
    const suppressed = [
      ...p[1].map((id) => ({ hash: hashOf('anonymous', id), erasedAt: audit.at })),
      ...(ref.kind === 'user' ? [{ hash: hashOf('user', ref.id), erasedAt: audit.at }] : []),
    ];
    await client.query(
      `INSERT INTO suppressions (hash, erased_at) SELECT * FROM unnest($1::text[], $2::bigint[])
       ON CONFLICT (hash) DO UPDATE SET erased_at = excluded.erased_at`,
      [suppressed.map((s) => s.hash), suppressed.map((s) => s.erasedAt)],
    );
    await insertPgAudit(client, audit);
    return { counts, suppressed };
  });
}
