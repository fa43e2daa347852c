import { subjectIdsSql } from './subject-ids-sql.js';
import type Database from 'better-sqlite3';
import { ENQUEUE_EVENT, INSERT_EVENT, UPSERT_LINK } from './sqlite-event-writer.js';

/** Every statement of the SQLite store, prepared once when the store opens. */

export const EVENT_COLUMNS =
  'message_id AS messageId, site, type, event, anonymous_id AS anonymousId, user_id AS userId, timestamp, received_at AS receivedAt, payload';
const CONSENT_COLUMNS = `receipt_id AS receiptId, site, anonymous_id AS anonymousId, user_id AS userId, purposes,
  policy_version AS policyVersion, source, text_hash AS textHash, decided_at AS decidedAt, received_at AS receivedAt, locale, url, record_id AS recordId`;
const LINK_COLUMNS =
  'anonymous_id AS anonymousId, user_id AS userId, first_seen_at AS firstSeenAt, last_seen_at AS lastSeenAt, proven';
const AUDIT_COLUMNS = 'at, site, action, subject_hash AS subjectHash, via, outcome, receipt_id AS receiptId, count';
const REQUEST_COLUMNS = `receipt_id AS receiptId, site, kind, channel, subject_hash AS subjectHash, reference,
  received_at AS receivedAt, due_at AS dueAt, state, updated_at AS updatedAt, answered_at AS answeredAt`;
// Rows a subject owns, for an anonymous id (@anonIds = [the id], @userId = null) or a user (@anonIds = JSON
// array of the anonymous ids with a proven link to it, @userId = the user id). json_each stands where PostgreSQL would take = ANY($2).
const ANON_IDS = '(SELECT value FROM json_each(@anonIds))';
const OWNED = `site = @site AND (anonymous_id IN ${ANON_IDS} OR user_id = @userId)`;
// identity_links is keyed (site, anonymous_id, user_id): with OWNED's OR the planner scans the whole site,
// so links are found by anonymous id (a user's anonymous ids are those linked to it), then the user's only.
const OWNED_LINKS = `site = @site AND anonymous_id IN ${ANON_IDS} AND (@userId IS NULL OR user_id = @userId)`;
const CONSENT_VALUES = `@receiptId, @recordId, @site, @anonymousId, @userId, @subjectHash, @purposes, @policyVersion, @source,
  @textHash, @decidedAt, @receivedAt, @locale, @url`;
/**
 * Whether the latest decision (by its time) about @anonymousId in @site grants a purpose: purposes are stored
 * as JSON of booleans, `{"analytics":true,…}` (a withdrawn id is never restored by the identity cookie).
 */
const LATEST_GRANTS = `(SELECT purposes FROM consent_records WHERE site = @site AND anonymous_id = @anonymousId
  ORDER BY decided_at DESC, id DESC LIMIT 1) LIKE '%:true%'`;
/** Rows deleted per statement by retention, so a big backlog never holds the write lock for long. */
export const RETENTION_CHUNK = 5_000;

function consentStatements(db: Database.Database) {
  return {
    insert: db.prepare(`INSERT INTO consent_records (receipt_id, record_id, site, anonymous_id, user_id, subject_hash, purposes,
      policy_version, source, text_hash, decided_at, received_at, locale, url) VALUES (${CONSENT_VALUES})`),
    receiptOf: db.prepare('SELECT receipt_id AS receiptId FROM consent_records WHERE site = ? AND record_id = ?'),
    bindSecret: db.prepare('INSERT OR IGNORE INTO subjects (anonymous_id, site, secret_hash, created_at) VALUES (?, ?, ?, ?)'),
    upsertLink: db.prepare(UPSERT_LINK),
    // The first secret first (subjects), then those bound through the identity cookie.
    findSubject: db.prepare(`SELECT site, secret_hash AS secretHash, 0 AS n FROM subjects WHERE anonymous_id = @id
      UNION ALL SELECT site, secret_hash, 1 FROM subject_secrets WHERE anonymous_id = @id ORDER BY n`),
    bindOriginSecret: db.prepare(`INSERT INTO subject_secrets (anonymous_id, origin, site, secret_hash, bound_at)
      SELECT @anonymousId, @origin, @site, @secretHash, @at
      WHERE EXISTS (SELECT 1 FROM subjects WHERE anonymous_id = @anonymousId AND site = @site) AND ${LATEST_GRANTS}
      ON CONFLICT (anonymous_id, origin) DO UPDATE SET secret_hash = excluded.secret_hash, bound_at = excluded.bound_at`),
    isLinkProven: db
      .prepare('SELECT proven FROM identity_links WHERE site = ? AND anonymous_id = ? AND user_id = ? AND proven = 1')
      .pluck(),
  };
}

function subjectStatements(db: Database.Database) {
  return {
    provenAnonIds: db.prepare('SELECT anonymous_id FROM identity_links WHERE site = ? AND user_id = ? AND proven = 1').pluck(),
    read: {
      subjects: db.prepare(`SELECT anonymous_id AS anonymousId, created_at AS createdAt FROM subjects
        WHERE site = @site AND anonymous_id IN ${ANON_IDS} ORDER BY created_at`),
      events: db.prepare(`SELECT ${EVENT_COLUMNS} FROM events WHERE ${OWNED} ORDER BY timestamp, id`),
      consent: db.prepare(`SELECT ${CONSENT_COLUMNS} FROM consent_records WHERE ${OWNED} ORDER BY id`),
      links: db.prepare(`SELECT ${LINK_COLUMNS} FROM identity_links WHERE ${OWNED_LINKS}`),
      audit: db.prepare(`SELECT ${AUDIT_COLUMNS} FROM audit_log WHERE subject_hash = ? ORDER BY id`),
      requests: db.prepare(`SELECT ${REQUEST_COLUMNS} FROM dsr_requests WHERE subject_hash = ? ORDER BY received_at`),
    },
    erase: {
      events: db.prepare(`DELETE FROM events WHERE ${OWNED}`),
      // Every link naming the subject goes, claimed ones too: they carry its id.
      linksOfUser: db.prepare('DELETE FROM identity_links WHERE site = @site AND user_id = @userId'),
      linksOfAnon: db.prepare(`DELETE FROM identity_links WHERE site = @site AND anonymous_id IN ${ANON_IDS}`),
      subjects: db.prepare(`DELETE FROM subjects WHERE site = @site AND anonymous_id IN ${ANON_IDS}`),
      secrets: db.prepare(`DELETE FROM subject_secrets WHERE site = @site AND anonymous_id IN ${ANON_IDS}`),
      consent: db.prepare(
        `UPDATE consent_records SET anonymous_id = NULL, user_id = NULL, url = NULL, subject_hash = @subjectHash WHERE ${OWNED}`,
      ),
      suppress: db.prepare('INSERT OR REPLACE INTO suppressions (hash, erased_at) VALUES (?, ?)'),
    },
    loadSuppressions: db.prepare('SELECT hash, erased_at AS erasedAt FROM suppressions'),
    subjectIds: db.prepare(subjectIdsSql('@site')),
    erasedAt: db.prepare('SELECT erased_at FROM suppressions WHERE hash = ?').pluck(),
  };
}

function operatorStatements(db: Database.Database) {
  return {
    insertAudit: db.prepare(`INSERT INTO audit_log (at, site, action, subject_hash, via, outcome, receipt_id)
      VALUES (@at, @site, @action, @subjectHash, @via, @outcome, @receiptId)`),
    countDenied: db.prepare(`UPDATE audit_log SET count = count + 1
      WHERE action = ? AND at = ? AND subject_hash IS NULL AND site = '*' AND outcome = 'denied'`),
    insertDenied: db.prepare(`INSERT INTO audit_log (at, site, action, subject_hash, via, outcome, receipt_id, count)
      VALUES (?, '*', ?, NULL, 'none', 'denied', NULL, 1)`),
    listAudit: db.prepare(`SELECT ${AUDIT_COLUMNS} FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT ?`),
    insertRequest: db.prepare(`INSERT INTO dsr_requests (receipt_id, site, kind, channel, subject_hash, reference, received_at,
      due_at, state, updated_at, answered_at) VALUES (@receiptId, @site, @kind, @channel, @subjectHash, @reference,
      @receivedAt, @dueAt, @state, @updatedAt, @answeredAt)`),
    listRequests: db.prepare(`SELECT ${REQUEST_COLUMNS} FROM dsr_requests ORDER BY due_at`),
    listOpenRequests: db.prepare(`SELECT ${REQUEST_COLUMNS} FROM dsr_requests WHERE answered_at IS NULL ORDER BY due_at`),
    updateRequest: db.prepare('UPDATE dsr_requests SET state = ?, updated_at = ?, answered_at = ? WHERE receipt_id = ?'),
    getRequest: db.prepare(`SELECT ${REQUEST_COLUMNS} FROM dsr_requests WHERE receipt_id = ?`),
  };
}

function maintenanceStatements(db: Database.Database) {
  return {
    insertEvent: db.prepare(INSERT_EVENT),
    upsertLink: db.prepare(UPSERT_LINK),
    enqueueEvent: db.prepare(ENQUEUE_EVENT),
    anyExpiredEvent: db.prepare('SELECT 1 FROM events WHERE received_at < ? LIMIT 1'),
    anyExpiredLink: db.prepare('SELECT 1 FROM identity_links WHERE last_seen_at < ? LIMIT 1'),
    deleteExpiredEvents: db.prepare(
      `DELETE FROM events WHERE id IN (SELECT id FROM events WHERE received_at < ? ORDER BY received_at LIMIT ${RETENTION_CHUNK})`,
    ),
    deleteExpiredLinks: db.prepare('DELETE FROM identity_links WHERE last_seen_at < ?'),
    anyExpiredDenied: db.prepare(`SELECT 1 FROM audit_log WHERE subject_hash IS NULL AND outcome = 'denied' AND at < ? LIMIT 1`),
    deleteExpiredDenied: db.prepare(`DELETE FROM audit_log WHERE subject_hash IS NULL AND outcome = 'denied' AND at < ?`),
    countEvents: db.prepare('SELECT count(*) FROM events').pluck(),
    // Reads from the file (fails when the database cannot be read) the schema version, for readiness.
    ping: db.prepare('SELECT max(version) FROM schema_migrations').pluck(),
  };
}

function limitStatements(db: Database.Database) {
  return {
    add: db.prepare(
      'INSERT OR IGNORE INTO processing_limits (site, subject_hash, right, at) VALUES (@site, @subjectHash, @right, @at)',
    ),
    remove: db.prepare('DELETE FROM processing_limits WHERE site = ? AND subject_hash = ? AND right = ?'),
    list: db.prepare('SELECT site, subject_hash AS subjectHash, right, at FROM processing_limits WHERE site = ? ORDER BY at'),
    consentDecisions: db.prepare(
      'SELECT purposes, source, locale, decided_at AS decidedAt FROM consent_records WHERE site = ? ORDER BY id',
    ),
  };
}

/** The site's events in time order, for the insights (read on a connection of their own). */
export const STREAM_EVENTS = `SELECT ${EVENT_COLUMNS} FROM events WHERE site = ? AND timestamp >= ? AND timestamp < ? ORDER BY timestamp, id`;

export function prepareStatements(db: Database.Database) {
  return {
    limits: limitStatements(db),
    consent: consentStatements(db),
    subject: subjectStatements(db),
    operator: operatorStatements(db),
    maintenance: maintenanceStatements(db),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;
