/** The consent log in PostgreSQL: append-only records, the subjects' secrets, identity links. */
import type pg from 'pg';
import type { ConsentRow } from '../store.js';
import type { PgDatabase } from './database.js';
import type { Hasher } from './pg-event-writer.js';
import { INSERT_CONSENT, UPSERT_LINK } from './sql.js';

/**
 * Appends a consent record under the erasure lock held shared: a subject erased by any collector is
 * recorded under its hash only; a user id is kept only when the record proves it (or is trusted).
 */
export function appendPgConsent(
  db: PgDatabase,
  hashOf: Hasher | undefined,
  row: ConsentRow,
  secretHash: string | null,
  trusted: boolean,
): Promise<string> {
  return db.tx(async (client) => {
    await db.lock(client, 'erasure', true);
    // Erased by another collector since this one loaded its suppressions: kept under the hash only.
    const hash = hashOf && row.anonymousId ? hashOf(row.site, 'anonymous', row.anonymousId) : null;
    if (hash && (await client.query('SELECT 1 FROM suppressions WHERE hash = $1', [hash])).rowCount) {
      return insertConsent(client, row, hash);
    }
    const { anonymousId, userId, site, receivedAt } = row;
    if (secretHash && anonymousId) {
      await client.query(
        'INSERT INTO subjects (anonymous_id, site, secret_hash, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
        [anonymousId, site, secretHash, receivedAt],
      );
    }
    const proven = trusted || (await provesUser(client, row));
    const receipt = await insertConsent(client, { ...row, userId: proven ? userId : null }, null);
    if (receipt !== row.receiptId) return receipt;
    if (anonymousId && userId) await client.query(UPSERT_LINK, [site, anonymousId, userId, receivedAt, proven]);
    return row.receiptId;
  });
}

/**
 * Whether a record the caller could not vouch for may claim its user: only by a proven link. (The
 * anonymous id's secret proves the browser, not the user: anyone can make a secret for a new id.)
 */
async function provesUser(client: pg.ClientBase, row: ConsentRow): Promise<boolean> {
  if (!row.anonymousId || !row.userId) return false;
  const link = await client.query(
    'SELECT 1 FROM identity_links WHERE site = $1 AND anonymous_id = $2 AND user_id = $3 AND proven',
    [row.site, row.anonymousId, row.userId],
  );
  return (link.rowCount ?? 0) > 0;
}

/** Inserts the record (without ids when `subjectHash` is given); the stored receipt when its recordId was seen. */
export async function insertConsent(client: pg.ClientBase, row: ConsentRow, subjectHash: string | null): Promise<string> {
  const ids = subjectHash ? [null, null] : [row.anonymousId, row.userId];
  const url = subjectHash ? null : row.url;
  const inserted = await client.query(INSERT_CONSENT, [
    row.receiptId,
    row.recordId,
    row.site,
    ...ids,
    subjectHash,
    row.purposes,
    row.policyVersion,
    row.source,
    row.textHash,
    row.decidedAt,
    row.receivedAt,
    row.locale,
    url,
  ]);
  if (inserted.rowCount) return row.receiptId;
  const stored = await client.query<{ r: string }>(
    'SELECT receipt_id AS r FROM consent_records WHERE site = $1 AND record_id = $2',
    [row.site, row.recordId],
  );
  return stored.rows[0]!.r;
}

/** A proven link between an anonymous id and a user, under the erasure lock held shared. */
export async function linkPgIdentity(
  db: PgDatabase,
  link: { site: string; anonymousId: string; userId: string; at: number },
): Promise<void> {
  await db.tx(async (client) => {
    await db.lock(client, 'erasure', true);
    await client.query(UPSERT_LINK, [link.site, link.anonymousId, link.userId, link.at, true]);
  });
}

/**
 * Binds a further secret for one origin to an anonymous id the site has a subject for whose latest decision
 * grants something (store.ts), under the erasure lock held shared: an erasure on any collector either
 * deletes it or ran first, and then there is no subject.
 */
export async function bindPgOriginSecret(
  db: PgDatabase,
  b: { site: string; anonymousId: string; origin: string; secretHash: string; at: number },
): Promise<boolean> {
  return db.tx(async (client) => {
    await db.lock(client, 'erasure', true);
    const bound = await client.query(
      `INSERT INTO subject_secrets (anonymous_id, origin, site, secret_hash, bound_at)
       SELECT $1::text, $2::text, $3::text, $4::text, $5::bigint
       WHERE EXISTS (SELECT 1 FROM subjects WHERE anonymous_id = $1 AND site = $3)
         AND (SELECT purposes FROM consent_records WHERE site = $3 AND anonymous_id = $1
              ORDER BY decided_at DESC, id DESC LIMIT 1) LIKE '%:true%'
       ON CONFLICT (anonymous_id, origin) DO UPDATE SET secret_hash = excluded.secret_hash, bound_at = excluded.bound_at`,
      [b.anonymousId, b.origin, b.site, b.secretHash, b.at],
    );
    return (bound.rowCount ?? 0) > 0;
  });
}
