/** Statements of the PostgreSQL store. Columns are aliased to the Store's row field names. */

export const EVENT_COLUMNS = `message_id AS "messageId", site, type, event, anonymous_id AS "anonymousId", user_id AS "userId",
  timestamp, received_at AS "receivedAt", payload`;
export const CONSENT_COLUMNS = `receipt_id AS "receiptId", site, anonymous_id AS "anonymousId", user_id AS "userId", purposes,
  policy_version AS "policyVersion", source, text_hash AS "textHash", decided_at AS "decidedAt", received_at AS "receivedAt", locale, url, record_id AS "recordId"`;
export const LINK_COLUMNS =
  'anonymous_id AS "anonymousId", user_id AS "userId", first_seen_at AS "firstSeenAt", last_seen_at AS "lastSeenAt", proven';
export const AUDIT_COLUMNS = 'at, site, action, subject_hash AS "subjectHash", via, outcome, receipt_id AS "receiptId", count';
export const REQUEST_COLUMNS = `receipt_id AS "receiptId", site, kind, channel, subject_hash AS "subjectHash", reference,
  received_at AS "receivedAt", due_at AS "dueAt", state, updated_at AS "updatedAt", answered_at AS "answeredAt"`;

/** Rows a subject owns: $1 site, $2 its anonymous ids (a user's: those with a proven link), $3 the user id (null for an anonymous subject). */
export const OWNED = 'site = $1 AND (anonymous_id = ANY ($2::text[]) OR user_id = $3::text)';
export const OWNED_LINKS = 'site = $1 AND anonymous_id = ANY ($2::text[]) AND ($3::text IS NULL OR user_id = $3::text)';

/**
 * One group of events in one statement, 13 arrays whatever the row count (unnest: no limit on bound
 * parameters, one plan). Rows of suppressed subjects are left out here, inside the transaction that
 * holds the erasure lock shared, so an erasure committed by any collector is honoured by the next
 * group of every other. A messageId seen twice in the group is stored once (DISTINCT ON, first wins).
 * Answers the messageIds stored.
 */
export const INSERT_EVENTS = `
WITH input AS (
  SELECT DISTINCT ON (message_id) *
  FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::bigint[],
    $9::text[], $10::text[], $11::text[], $12::boolean[], $13::text[])
    WITH ORDINALITY AS u(message_id, site, type, event, anonymous_id, user_id, ts, received_at, payload, anon_hash, user_hash,
      link_proven, destinations, n)
  WHERE NOT EXISTS (SELECT 1 FROM suppressions s WHERE s.hash = u.anon_hash)
    AND NOT EXISTS (SELECT 1 FROM suppressions s WHERE s.hash = u.user_hash AND u.ts <= s.erased_at)
  ORDER BY message_id, n
), ids AS (
  INSERT INTO event_ids (message_id, received_at) SELECT message_id, received_at FROM input
  ON CONFLICT DO NOTHING RETURNING message_id
), stored AS (
  INSERT INTO events (message_id, site, type, event, anonymous_id, user_id, timestamp, received_at, payload)
  SELECT i.message_id, i.site, i.type, i.event, i.anonymous_id, i.user_id, i.ts, i.received_at, i.payload
  FROM input i JOIN ids USING (message_id) ORDER BY i.n
  RETURNING message_id, site, type, anonymous_id, user_id, received_at
), linked AS (
  -- identify is what links a browser to a user (proven when a server key sent it); only new rows, so a
  -- retry costs nothing more.
  INSERT INTO identity_links (site, anonymous_id, user_id, first_seen_at, last_seen_at, proven)
  SELECT s.site, s.anonymous_id, s.user_id, min(s.received_at), max(s.received_at), bool_or(i.link_proven)
  FROM stored s JOIN input i USING (message_id)
  WHERE s.type = 'identify' AND s.anonymous_id IS NOT NULL AND s.user_id IS NOT NULL
  GROUP BY s.site, s.anonymous_id, s.user_id
  ON CONFLICT (site, anonymous_id, user_id) DO UPDATE SET last_seen_at = GREATEST(identity_links.last_seen_at, excluded.last_seen_at),
    proven = identity_links.proven OR excluded.proven
), queued AS (
  -- The outbox rows of new events, in the same statement: nothing is forwarded that was not stored.
  INSERT INTO outbox (destination, kind, message_id, site, queued_at, event_received_at, next_attempt_at)
  SELECT d.name, 'event', s.message_id, s.site, s.received_at, s.received_at, 0
  FROM stored s JOIN input i USING (message_id) CROSS JOIN LATERAL json_array_elements_text(i.destinations::json) AS d(name)
  WHERE i.destinations IS NOT NULL
  ON CONFLICT DO NOTHING
)
SELECT message_id FROM ids`;

export const INSERT_CONSENT = `INSERT INTO consent_records (receipt_id, record_id, site, anonymous_id, user_id, subject_hash, purposes,
  policy_version, source, text_hash, decided_at, received_at, locale, url)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
  ON CONFLICT (site, record_id) WHERE record_id IS NOT NULL DO NOTHING RETURNING receipt_id`;
/** $5: whether the link is proven; a proven link stays proven. */
export const UPSERT_LINK = `INSERT INTO identity_links (site, anonymous_id, user_id, first_seen_at, last_seen_at, proven)
  VALUES ($1, $2, $3, $4, $4, $5)
  ON CONFLICT (site, anonymous_id, user_id) DO UPDATE SET last_seen_at = GREATEST(identity_links.last_seen_at, excluded.last_seen_at),
    proven = identity_links.proven OR excluded.proven`;
/** One row per action and hour ($2) counts the failed requests. */
export const COUNT_DENIED = `WITH counted AS (
  UPDATE audit_log SET count = count + 1
  WHERE action = $1 AND at = $2 AND subject_hash IS NULL AND site = '*' AND outcome = 'denied' RETURNING 1
)
INSERT INTO audit_log (at, site, action, subject_hash, via, outcome, receipt_id, count)
SELECT $2, '*', $1, NULL, 'none', 'denied', NULL, 1 WHERE NOT EXISTS (SELECT 1 FROM counted)`;
export const INSERT_AUDIT = `INSERT INTO audit_log (at, site, action, subject_hash, via, outcome, receipt_id)
  VALUES ($1, $2, $3, $4, $5, $6, $7)`;

/** Rows deleted per statement by retention, so a backlog never holds locks for long. */
export const RETENTION_CHUNK = 5_000;
export const DELETE_EXPIRED_EVENTS = `DELETE FROM events WHERE received_at < $1
  AND message_id = ANY (ARRAY(SELECT message_id FROM events WHERE received_at < $1 LIMIT ${RETENTION_CHUNK}))`;
export const DELETE_EXPIRED_IDS = `DELETE FROM event_ids WHERE message_id = ANY
  (ARRAY(SELECT message_id FROM event_ids WHERE received_at < $1 LIMIT ${RETENTION_CHUNK}))`;
