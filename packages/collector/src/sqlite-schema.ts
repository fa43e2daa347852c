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
-- A subject is an anonymous id with the hash of the secret its browser made at first consent.
CREATE TABLE IF NOT EXISTS subjects (
  anonymous_id TEXT PRIMARY KEY,
  site TEXT NOT NULL,
  secret_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

-- Anonymous id ↔ user id, from identify events and consent records that carry both. Anyone with the
-- public write key can claim a link, so only a proven one (proven = 1: the browser's subject secret, or a
-- server key) lets a user's access and erasure cover the anonymous id; the others serve analytics only.
CREATE TABLE IF NOT EXISTS identity_links (
  site TEXT NOT NULL,
  anonymous_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  first_seen_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  proven INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (site, anonymous_id, user_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS identity_links_user ON identity_links (site, user_id);

-- Erased subjects, by keyed hash only: late events for them are dropped at ingest.
CREATE TABLE IF NOT EXISTS suppressions (
  hash TEXT PRIMARY KEY,
  erased_at INTEGER NOT NULL
) WITHOUT ROWID;

-- Every data-subject request: time, action, keyed hash, outcome. Never a raw id, an IP or a payload.
-- Failed requests name no subject: one row per action and hour counts them (count), so guessing
-- cannot grow the log without bound.
CREATE TABLE IF NOT EXISTS audit_log (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  site TEXT NOT NULL,
  action TEXT NOT NULL,
  subject_hash TEXT,
  via TEXT NOT NULL,
  outcome TEXT NOT NULL,
  receipt_id TEXT,
  count INTEGER NOT NULL DEFAULT 1
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
 * Consent records are append-only (Art. 7(1) proof). Dropped and made again at every start, so a file
 * made by an older version gets the current rules. Closed gaps: INSERT OR REPLACE deletes the old row
 * without firing a DELETE trigger, so a second row with a stored id is refused before it is inserted;
 * an update may only pseudonymise a record once (ids -> subject hash, url cleared), and changes nothing
 * else, nor anything after that.
 */
const APPEND_ONLY = `
DROP TRIGGER IF EXISTS consent_records_append_only_delete;
DROP TRIGGER IF EXISTS consent_records_append_only_update;
DROP TRIGGER IF EXISTS consent_records_append_only_insert;
CREATE TRIGGER consent_records_append_only_delete BEFORE DELETE ON consent_records
BEGIN SELECT RAISE(ABORT, 'consent_records is append-only'); END;
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

/** Columns added since the first release: a file made before them gets them (with their defaults). */
const ADDED_COLUMNS = [
  { table: 'identity_links', column: 'proven', definition: 'INTEGER NOT NULL DEFAULT 0' },
  { table: 'audit_log', column: 'count', definition: 'INTEGER NOT NULL DEFAULT 1' },
];

/** Creates what is missing (a new file, or one from an older version) and (re)makes the append-only triggers. */
export function applySchema(db: Database.Database): void {
  db.transaction(() => {
    db.exec(SCHEMA);
    for (const { table, column, definition } of ADDED_COLUMNS) {
      const columns = db.prepare(`SELECT name FROM pragma_table_info('${table}')`).pluck().all();
      if (!columns.includes(column)) db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${definition}`);
    }
    db.exec(`${INDEXES_ON_ADDED_COLUMNS}${APPEND_ONLY}`);
  })();
}

const INDEXES_ON_ADDED_COLUMNS = `
CREATE INDEX IF NOT EXISTS audit_log_denied ON audit_log (action, at) WHERE subject_hash IS NULL;
`;
