import type Database from 'better-sqlite3';

/** Tables, indexes and triggers of the SQLite store; every statement is idempotent, so it runs at every start. */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  id INTEGER PRIMARY KEY,
  message_id TEXT NOT NULL UNIQUE,
  site TEXT NOT NULL,
  type TEXT NOT NULL,
  event TEXT,
  anonymous_id TEXT,
  user_id TEXT,
  timestamp INTEGER NOT NULL,
  received_at INTEGER NOT NULL,
  payload TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_anonymous_id ON events (anonymous_id) WHERE anonymous_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS events_user_id ON events (user_id) WHERE user_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS events_received_at ON events (received_at);

-- Proof of consent (GDPR Art. 7(1)): append-only. The only change allowed is erasure replacing the
-- subject's ids with a keyed hash, so the proof outlives the person's data without naming them.
CREATE TABLE IF NOT EXISTS consent_records (
  id INTEGER PRIMARY KEY,
  receipt_id TEXT NOT NULL UNIQUE,
  -- The client's id of the decision: a retried record is stored once and answered with its receipt.
  record_id TEXT,
  site TEXT NOT NULL,
  anonymous_id TEXT,
  user_id TEXT,
  subject_hash TEXT,
  purposes TEXT NOT NULL,
  policy_version TEXT NOT NULL,
  source TEXT NOT NULL,
  text_hash TEXT,
  decided_at TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  locale TEXT,
  url TEXT
);
CREATE INDEX IF NOT EXISTS consent_records_anonymous_id ON consent_records (anonymous_id) WHERE anonymous_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS consent_records_user_id ON consent_records (user_id) WHERE user_id IS NOT NULL;
CREATE UNIQUE INDEX IF NOT EXISTS consent_records_record_id ON consent_records (site, record_id) WHERE record_id IS NOT NULL;
CREATE TRIGGER IF NOT EXISTS consent_records_append_only_delete BEFORE DELETE ON consent_records
BEGIN SELECT RAISE(ABORT, 'consent_records is append-only'); END;
CREATE TRIGGER IF NOT EXISTS consent_records_append_only_update BEFORE UPDATE ON consent_records
WHEN NEW.receipt_id IS NOT OLD.receipt_id OR NEW.record_id IS NOT OLD.record_id OR NEW.site IS NOT OLD.site OR NEW.purposes IS NOT OLD.purposes
  OR NEW.policy_version IS NOT OLD.policy_version OR NEW.source IS NOT OLD.source
  OR NEW.text_hash IS NOT OLD.text_hash OR NEW.decided_at IS NOT OLD.decided_at
  OR NEW.received_at IS NOT OLD.received_at OR NEW.anonymous_id IS NOT NULL OR NEW.user_id IS NOT NULL
  OR NEW.subject_hash IS NULL
BEGIN SELECT RAISE(ABORT, 'consent_records is append-only: only erasure may pseudonymise a record'); END;

-- A subject is an anonymous id with the hash of the secret its browser made at first consent.
CREATE TABLE IF NOT EXISTS subjects (
  anonymous_id TEXT PRIMARY KEY,
  site TEXT NOT NULL,
  secret_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

-- Anonymous id ↔ user id, from identify events and consent records that carry both. A user's access
-- and erasure cover every anonymous id linked to them.
CREATE TABLE IF NOT EXISTS identity_links (
  site TEXT NOT NULL,
  anonymous_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  first_seen_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  PRIMARY KEY (site, anonymous_id, user_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS identity_links_user ON identity_links (site, user_id);

-- Erased subjects, by keyed hash only: late events for them are dropped at ingest.
CREATE TABLE IF NOT EXISTS suppressions (
  hash TEXT PRIMARY KEY,
  erased_at INTEGER NOT NULL
) WITHOUT ROWID;

-- Every data-subject request: time, action, keyed hash, outcome. Never a raw id, an IP or a payload.
CREATE TABLE IF NOT EXISTS audit_log (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  site TEXT NOT NULL,
  action TEXT NOT NULL,
  subject_hash TEXT,
  via TEXT NOT NULL,
  outcome TEXT NOT NULL,
  receipt_id TEXT
);
CREATE INDEX IF NOT EXISTS audit_log_subject ON audit_log (subject_hash) WHERE subject_hash IS NOT NULL;

-- Requests received by e-mail or post, recorded by the operator, with their due date and state.
CREATE TABLE IF NOT EXISTS dsr_requests (
  receipt_id TEXT PRIMARY KEY,
  site TEXT NOT NULL,
  kind TEXT NOT NULL,
  channel TEXT NOT NULL,
  subject_hash TEXT,
  reference TEXT,
  received_at INTEGER NOT NULL,
  due_at INTEGER NOT NULL,
  state TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  answered_at INTEGER
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS dsr_requests_subject ON dsr_requests (subject_hash) WHERE subject_hash IS NOT NULL;
`;

/**
 * Issue 15. identity_links.proven: anyone with the public write key can claim a link, so only a proven
 * one (the browser's subject secret, or a server key) lets a user's access and erasure cover the
 * anonymous id; claimed ones serve analytics only. audit_log.count: failed requests name no subject, so
 * one row per action and hour counts them. Consent log: INSERT OR REPLACE deleted the old row without
 * firing the DELETE trigger, so a row whose id, receipt_id or (site, record_id) is stored is refused
 * before it is inserted; an update may only pseudonymise a record once (ids -> subject hash, url
 * cleared), and changes nothing else, nor anything after that.
 */
const V3_PROOF = `
ALTER TABLE identity_links ADD COLUMN proven INTEGER NOT NULL DEFAULT 0;
ALTER TABLE audit_log ADD COLUMN count INTEGER NOT NULL DEFAULT 1;
CREATE INDEX audit_log_denied ON audit_log (action, at) WHERE subject_hash IS NULL;
DROP TRIGGER consent_records_append_only_update;
CREATE TRIGGER consent_records_append_only_insert BEFORE INSERT ON consent_records
WHEN EXISTS (SELECT 1 FROM consent_records WHERE id = NEW.id OR receipt_id = NEW.receipt_id
  OR (record_id = NEW.record_id AND site = NEW.site))
BEGIN SELECT RAISE(ABORT, 'consent_records is append-only: a stored record is never replaced'); END;
CREATE TRIGGER consent_records_append_only_update BEFORE UPDATE ON consent_records
WHEN OLD.subject_hash IS NOT NULL OR NEW.subject_hash IS NULL OR NEW.anonymous_id IS NOT NULL OR NEW.user_id IS NOT NULL
  OR NEW.url IS NOT NULL OR NEW.id IS NOT OLD.id OR NEW.receipt_id IS NOT OLD.receipt_id OR NEW.record_id IS NOT OLD.record_id
  OR NEW.site IS NOT OLD.site OR NEW.purposes IS NOT OLD.purposes OR NEW.policy_version IS NOT OLD.policy_version
  OR NEW.source IS NOT OLD.source OR NEW.text_hash IS NOT OLD.text_hash OR NEW.decided_at IS NOT OLD.decided_at
  OR NEW.received_at IS NOT OLD.received_at OR NEW.locale IS NOT OLD.locale
BEGIN SELECT RAISE(ABORT, 'consent_records is append-only: only erasure may pseudonymise a record, once'); END;
`;

/**
 * Versions of the SQLite schema, recorded in `schema_migrations` as in PostgreSQL. Version 1 is the
 * schema above, written idempotently, so a file made before versions existed is brought to it as well.
 * A change is a new entry, never an edit.
 */
// Objections (Art. 21) and restrictions (Art. 18), by the subject's keyed hash only.
const V2_PROCESSING_LIMITS = `
CREATE TABLE processing_limits (
  site TEXT NOT NULL,
  subject_hash TEXT NOT NULL,
  right TEXT NOT NULL,
  at INTEGER NOT NULL,
  PRIMARY KEY (site, subject_hash, right)
) WITHOUT ROWID;
`;

/**
 * Issue 13. The destinations' outbox: one row per event (or erasure) and destination, queued in the
 * transaction that stored the event. States: pending → sent | dead (with the reason; replayable) |
 * withheld (objection or restriction) | manual (an erasure the recipient has no API for). Sent rows are
 * kept until the event expires or is erased: they say which destinations received a subject's events.
 * `body` holds an erasure's ids until it is delivered (an event's payload is read from `events`).
 */
const V4_OUTBOX = `
CREATE TABLE outbox (
  id INTEGER PRIMARY KEY,
  destination TEXT NOT NULL,
  kind TEXT NOT NULL,
  message_id TEXT NOT NULL,
  site TEXT NOT NULL,
  body TEXT,
  state TEXT NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0,
  queued_at INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  lease_until INTEGER NOT NULL DEFAULT 0,
  done_at INTEGER,
  last_error TEXT,
  UNIQUE (destination, kind, message_id)
);
CREATE INDEX outbox_due ON outbox (destination, next_attempt_at) WHERE state = 'pending';
CREATE INDEX outbox_message ON outbox (message_id);
CREATE INDEX outbox_state ON outbox (destination, state) WHERE state <> 'sent';
`;

/**
 * The outbox with fewer indexes: each is one more b-tree write per queued event at ingest (v4 had four).
 * One unique index led by message_id (dedup of the queue, and erasure's lookup by the subject's events) and
 * one partial index of the rows not yet sent in claim order (destination, state, next attempt; ties by
 * rowid), so a claim reads the first due rows instead of scanning and sorting the backlog (v4's ORDER BY id).
 */
const V5_OUTBOX_INDEXES = `
CREATE TABLE outbox_v5 (
  id INTEGER PRIMARY KEY,
  destination TEXT NOT NULL,
  kind TEXT NOT NULL,
  message_id TEXT NOT NULL,
  site TEXT NOT NULL,
  body TEXT,
  state TEXT NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0,
  queued_at INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  lease_until INTEGER NOT NULL DEFAULT 0,
  done_at INTEGER,
  last_error TEXT,
  UNIQUE (message_id, destination, kind)
);
INSERT INTO outbox_v5 SELECT id, destination, kind, message_id, site, body, state, attempts, queued_at, next_attempt_at,
  lease_until, done_at, last_error FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_v5 RENAME TO outbox;
CREATE INDEX outbox_open ON outbox (destination, state, next_attempt_at) WHERE state <> 'sent';
`;

/**
 * Issue 12. Secrets bound to an anonymous id through the collector's identity cookie
 * (routes/identity-cookie.ts), one per origin of the site, beside the first one in `subjects`: a browser
 * whose storage was wiped makes a new secret, and the cookie proves that it held the id.
 */
const V6_SUBJECT_SECRETS = `
CREATE TABLE subject_secrets (
  anonymous_id TEXT NOT NULL,
  origin TEXT NOT NULL,
  site TEXT NOT NULL,
  secret_hash TEXT NOT NULL,
  bound_at INTEGER NOT NULL,
  PRIMARY KEY (anonymous_id, origin)
) WITHOUT ROWID;
`;

const MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  { version: 1, name: 'events, consent log, subjects, links, suppressions, audit, requests', sql: SCHEMA },
  { version: 2, name: 'processing_limits: objections and restrictions for the insights', sql: V2_PROCESSING_LIMITS },
  { version: 3, name: 'proven identity links, counted failed requests, consent log closed', sql: V3_PROOF },
  { version: 4, name: 'outbox: deliveries to destinations and erasure propagation', sql: V4_OUTBOX },
  { version: 5, name: 'outbox: two indexes instead of four', sql: V5_OUTBOX_INDEXES },
  { version: 6, name: 'subject_secrets: secrets bound through the identity cookie', sql: V6_SUBJECT_SECRETS },
];
export const SQLITE_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/**
 * Applies the migrations this file lacks, in one write transaction (BEGIN IMMEDIATE: a second process
 * waits); refuses a file whose schema is newer than this code knows. Returns the versions before and after.
 */
export function applySchema(db: Database.Database): { from: number; to: number } {
  return db
    .transaction(() => {
      db.exec(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)',
      );
      const from = (db.prepare('SELECT max(version) AS v FROM schema_migrations').get() as { v: number | null }).v ?? 0;
      if (from > SQLITE_SCHEMA_VERSION) {
        throw new Error(
          `[tillit-collector] the database schema is at version ${from}, newer than this collector knows (${SQLITE_SCHEMA_VERSION}): ` +
            'run the newer collector, or restore a backup taken before it migrated',
        );
      }
      const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
      for (const migration of MIGRATIONS) {
        if (migration.version <= from) continue;
        db.exec(migration.sql);
        record.run(migration.version, migration.name, Date.now());
      }
      return { from, to: SQLITE_SCHEMA_VERSION };
    })
    .immediate();
}
