import type { ClientBase } from 'pg';
import { LOCK_CLASS, lockKey } from './locks.js';

/**
 * Versioned schema of the PostgreSQL store. A migration is never edited once released: a change is a
 * new version. Each runs in its own transaction, recorded in `schema_migrations`.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** The role every ordinary statement of the collector runs as: it may not UPDATE or DELETE consent records. */
export const APP_ROLE = 'tillit_app';

const V1_TABLES = `
-- Dedup by messageId. A unique constraint on the partitioned events table would have to include the
-- partition key (received_at), and a retry arrives with a new received_at: so ids live in their own
-- small unpartitioned table, inserted in the same statement as the events.
CREATE TABLE event_ids (
  message_id text PRIMARY KEY,
  received_at bigint NOT NULL
);
CREATE INDEX event_ids_received_at ON event_ids (received_at);

-- Partitioned by month of receipt (server time): retention drops whole partitions.
CREATE TABLE events (
  seq bigserial NOT NULL,
  message_id text NOT NULL,
  site text NOT NULL,
  type text NOT NULL,
  event text,
  anonymous_id text,
  user_id text,
  timestamp bigint NOT NULL,
  received_at bigint NOT NULL,
  payload text NOT NULL
) PARTITION BY RANGE (received_at);
-- Catches rows of a month whose partition was not made in time, so an insert never fails for that.
CREATE TABLE events_default PARTITION OF events DEFAULT;
CREATE INDEX events_anonymous_id ON events (site, anonymous_id) WHERE anonymous_id IS NOT NULL;
CREATE INDEX events_user_id ON events (site, user_id) WHERE user_id IS NOT NULL;
CREATE INDEX events_received_at ON events (received_at);

-- Proof of consent (GDPR Art. 7(1)): append-only. The only change allowed is erasure replacing the
-- subject's ids with a keyed hash (through tillit_pseudonymise_consent below).
CREATE TABLE consent_records (
  id bigserial PRIMARY KEY,
  receipt_id text NOT NULL UNIQUE,
  record_id text,
  site text NOT NULL,
  anonymous_id text,
  user_id text,
  subject_hash text,
  purposes text NOT NULL,
  policy_version text NOT NULL,
  source text NOT NULL,
  text_hash text,
  decided_at text NOT NULL,
  received_at bigint NOT NULL,
  locale text,
  url text
);
CREATE INDEX consent_records_anonymous_id ON consent_records (site, anonymous_id) WHERE anonymous_id IS NOT NULL;
CREATE INDEX consent_records_user_id ON consent_records (site, user_id) WHERE user_id IS NOT NULL;
CREATE UNIQUE INDEX consent_records_record_id ON consent_records (site, record_id) WHERE record_id IS NOT NULL;

CREATE FUNCTION consent_records_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN RAISE EXCEPTION 'consent_records is append-only'; END IF;
  IF NEW.receipt_id IS DISTINCT FROM OLD.receipt_id OR NEW.record_id IS DISTINCT FROM OLD.record_id
    OR NEW.site IS DISTINCT FROM OLD.site OR NEW.purposes IS DISTINCT FROM OLD.purposes
    OR NEW.policy_version IS DISTINCT FROM OLD.policy_version OR NEW.source IS DISTINCT FROM OLD.source
    OR NEW.text_hash IS DISTINCT FROM OLD.text_hash OR NEW.decided_at IS DISTINCT FROM OLD.decided_at
    OR NEW.received_at IS DISTINCT FROM OLD.received_at OR NEW.anonymous_id IS NOT NULL OR NEW.user_id IS NOT NULL
    OR NEW.subject_hash IS NULL THEN
    RAISE EXCEPTION 'consent_records is append-only: only erasure may pseudonymise a record';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER consent_records_append_only BEFORE UPDATE OR DELETE ON consent_records
  FOR EACH ROW EXECUTE FUNCTION consent_records_append_only();
CREATE TRIGGER consent_records_no_truncate BEFORE TRUNCATE ON consent_records
  FOR EACH STATEMENT EXECUTE FUNCTION consent_records_append_only();

CREATE TABLE subjects (
  anonymous_id text PRIMARY KEY,
  site text NOT NULL,
  secret_hash text NOT NULL,
  created_at bigint NOT NULL
);

CREATE TABLE identity_links (
  site text NOT NULL,
  anonymous_id text NOT NULL,
  user_id text NOT NULL,
  first_seen_at bigint NOT NULL,
  last_seen_at bigint NOT NULL,
  PRIMARY KEY (site, anonymous_id, user_id)
);
CREATE INDEX identity_links_user ON identity_links (site, user_id);

CREATE TABLE suppressions (
  hash text PRIMARY KEY,
  erased_at bigint NOT NULL
);

CREATE TABLE audit_log (
  id bigserial PRIMARY KEY,
  at bigint NOT NULL,
  site text NOT NULL,
  action text NOT NULL,
  subject_hash text,
  via text NOT NULL,
  outcome text NOT NULL,
  receipt_id text
);
CREATE INDEX audit_log_subject ON audit_log (subject_hash) WHERE subject_hash IS NOT NULL;

CREATE TABLE dsr_requests (
  receipt_id text PRIMARY KEY,
  site text NOT NULL,
  kind text NOT NULL,
  channel text NOT NULL,
  subject_hash text,
  reference text,
  received_at bigint NOT NULL,
  due_at bigint NOT NULL,
  state text NOT NULL,
  updated_at bigint NOT NULL,
  answered_at bigint
);
CREATE INDEX dsr_requests_subject ON dsr_requests (subject_hash) WHERE subject_hash IS NOT NULL;

-- Erasure's one way to change a consent record: runs as the owner, so the collector's role needs no UPDATE.
CREATE FUNCTION tillit_pseudonymise_consent(p_site text, p_anon_ids text[], p_user_id text, p_hash text)
RETURNS integer LANGUAGE sql SECURITY DEFINER SET search_path FROM CURRENT AS $$
  WITH changed AS (
    UPDATE consent_records SET anonymous_id = NULL, user_id = NULL, subject_hash = p_hash
    WHERE site = p_site AND (anonymous_id = ANY (p_anon_ids) OR user_id = p_user_id)
    RETURNING 1
  ) SELECT count(*)::integer FROM changed
$$;
`;

// Roles are cluster-wide: made once, by whoever may (a managed database may refuse; then the trigger
// alone guards the log). Two schemas migrating at once may race on the role: either outcome is fine,
// and the grants on this schema's own tables run only once the role is there and ours.
const V2_ROLE = `
DO $$
BEGIN
  CREATE ROLE ${APP_ROLE} NOLOGIN;
EXCEPTION WHEN OTHERS THEN NULL;
END $$;
DO $$
BEGIN
  EXECUTE format('GRANT ${APP_ROLE} TO %I', current_user);
EXCEPTION WHEN OTHERS THEN NULL;
END $$;
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${APP_ROLE}' AND pg_has_role(current_user, oid, 'MEMBER')) THEN
    RAISE NOTICE 'tillit: role ${APP_ROLE} is not available; the trigger alone keeps consent_records append-only';
    RETURN;
  END IF;
  EXECUTE format('GRANT USAGE ON SCHEMA %I TO ${APP_ROLE}', current_schema());
  EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO ${APP_ROLE}', current_schema());
  EXECUTE format('GRANT USAGE ON ALL SEQUENCES IN SCHEMA %I TO ${APP_ROLE}', current_schema());
  REVOKE UPDATE, DELETE, TRUNCATE ON consent_records FROM ${APP_ROLE};
  GRANT EXECUTE ON FUNCTION tillit_pseudonymise_consent(text, text[], text, text) TO ${APP_ROLE};
END $$;
`;

/** Runs `sql` only where migration 2 could set up the role (it grants on the tables that exist then). */
const ifAppRole = (sql: string) => `
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${APP_ROLE}' AND pg_has_role(current_user, oid, 'MEMBER')) THEN
    ${sql}
  END IF;
END $$;
`;

// Failed data-subject requests per client address (a keyed hash of it, never the address), counted by
// every collector together: a guesser cannot multiply its tries by the number of collectors.
const V3_FAILURES = `
CREATE TABLE failure_windows (
  address_hash text PRIMARY KEY,
  failures integer NOT NULL,
  reset_at bigint NOT NULL
);
${ifAppRole(`GRANT SELECT, INSERT, UPDATE, DELETE ON failure_windows TO ${APP_ROLE};`)}
`;

// Objections (Art. 21) and restrictions (Art. 18), by the subject's keyed hash only.
const V4_PROCESSING_LIMITS = `
CREATE TABLE processing_limits (
  site text NOT NULL,
  subject_hash text NOT NULL,
  "right" text NOT NULL,
  at bigint NOT NULL,
  PRIMARY KEY (site, subject_hash, "right")
);
${ifAppRole(`GRANT SELECT, INSERT, DELETE ON processing_limits TO ${APP_ROLE};`)}
`;

// Issue 15: proven identity links (only they widen a user's access), failed requests counted per hour,
// and erasure clears the consent record's url; an erased (pseudonymised) record changes no more.
const V5_PROOF = `
ALTER TABLE identity_links ADD COLUMN proven boolean NOT NULL DEFAULT false;
ALTER TABLE audit_log ADD COLUMN count integer NOT NULL DEFAULT 1;
CREATE INDEX audit_log_denied ON audit_log (action, at) WHERE subject_hash IS NULL;

CREATE OR REPLACE FUNCTION consent_records_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'UPDATE' THEN RAISE EXCEPTION 'consent_records is append-only'; END IF;
  IF OLD.subject_hash IS NOT NULL OR NEW.subject_hash IS NULL OR NEW.anonymous_id IS NOT NULL OR NEW.user_id IS NOT NULL
    OR NEW.url IS NOT NULL OR NEW.id IS DISTINCT FROM OLD.id
    OR NEW.receipt_id IS DISTINCT FROM OLD.receipt_id OR NEW.record_id IS DISTINCT FROM OLD.record_id
    OR NEW.site IS DISTINCT FROM OLD.site OR NEW.purposes IS DISTINCT FROM OLD.purposes
    OR NEW.policy_version IS DISTINCT FROM OLD.policy_version OR NEW.source IS DISTINCT FROM OLD.source
    OR NEW.text_hash IS DISTINCT FROM OLD.text_hash OR NEW.decided_at IS DISTINCT FROM OLD.decided_at
    OR NEW.received_at IS DISTINCT FROM OLD.received_at OR NEW.locale IS DISTINCT FROM OLD.locale THEN
    RAISE EXCEPTION 'consent_records is append-only: only erasure may pseudonymise a record, once';
  END IF;
  RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION tillit_pseudonymise_consent(p_site text, p_anon_ids text[], p_user_id text, p_hash text)
RETURNS integer LANGUAGE sql SECURITY DEFINER SET search_path FROM CURRENT AS $$
  WITH changed AS (
    UPDATE consent_records SET anonymous_id = NULL, user_id = NULL, url = NULL, subject_hash = p_hash
    WHERE site = p_site AND (anonymous_id = ANY (p_anon_ids) OR user_id = p_user_id)
    RETURNING 1
  ) SELECT count(*)::integer FROM changed
$$;
`;

// The bulk export reads events in the order they were stored and resumes after a seq: a range scan.
const V6_EXPORT_ORDER = 'CREATE INDEX events_seq ON events (seq);';

// Issue 13: the destinations' outbox (destinations/pg-outbox.ts), as in SQLite's v4. `event_received_at`
// finds the event in its partition (events has no index on message_id).
const V7_OUTBOX = `
CREATE TABLE outbox (
  id bigserial PRIMARY KEY,
  destination text NOT NULL,
  kind text NOT NULL,
  message_id text NOT NULL,
  site text NOT NULL,
  body text,
  state text NOT NULL DEFAULT 'pending',
  attempts integer NOT NULL DEFAULT 0,
  queued_at bigint NOT NULL,
  event_received_at bigint,
  next_attempt_at bigint NOT NULL,
  lease_until bigint NOT NULL DEFAULT 0,
  done_at bigint,
  last_error text,
  UNIQUE (destination, kind, message_id)
);
CREATE INDEX outbox_due ON outbox (destination, next_attempt_at) WHERE state = 'pending';
CREATE INDEX outbox_message ON outbox (message_id);
CREATE INDEX outbox_state ON outbox (destination, state) WHERE state <> 'sent';
${ifAppRole(`GRANT SELECT, INSERT, UPDATE, DELETE ON outbox TO ${APP_ROLE}; GRANT USAGE ON SEQUENCE outbox_id_seq TO ${APP_ROLE};`)}
`;

// As SQLite's v5: two indexes written per queued event instead of four.
const V8_OUTBOX_INDEXES = `
ALTER TABLE outbox DROP CONSTRAINT outbox_destination_kind_message_id_key;
ALTER TABLE outbox ADD CONSTRAINT outbox_message_key UNIQUE (message_id, destination, kind);
DROP INDEX outbox_due, outbox_message, outbox_state;
CREATE INDEX outbox_open ON outbox (destination, state, next_attempt_at, id) WHERE state <> 'sent';
`;

// Issue 12: secrets bound to an anonymous id through the identity cookie, one per origin (as SQLite's v6).
const V9_SUBJECT_SECRETS = `
CREATE TABLE subject_secrets (
  anonymous_id text NOT NULL,
  origin text NOT NULL,
  site text NOT NULL,
  secret_hash text NOT NULL,
  bound_at bigint NOT NULL,
  PRIMARY KEY (anonymous_id, origin)
);
${ifAppRole(`GRANT SELECT, INSERT, UPDATE, DELETE ON subject_secrets TO ${APP_ROLE};`)}
`;

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'events, consent log, subjects, suppressions, audit, requests', sql: V1_TABLES },
  { version: 2, name: `role ${APP_ROLE} without UPDATE/DELETE on consent_records`, sql: V2_ROLE },
  { version: 3, name: 'failure_windows: the failure rate limit shared by every collector', sql: V3_FAILURES },
  { version: 4, name: 'processing_limits: objections and restrictions for the insights', sql: V4_PROCESSING_LIMITS },
  { version: 5, name: 'proven identity links, counted failed requests, erasure clears the consent url', sql: V5_PROOF },
  { version: 6, name: 'events_seq: the export reads events in stored order', sql: V6_EXPORT_ORDER },
  { version: 7, name: 'outbox: deliveries to destinations and erasure propagation', sql: V7_OUTBOX },
  { version: 8, name: 'outbox: two indexes instead of four', sql: V8_OUTBOX_INDEXES },
  { version: 9, name: 'subject_secrets: secrets bound through the identity cookie', sql: V9_SUBJECT_SECRETS },
];

export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

export class SchemaTooNewError extends Error {
  override name = 'SchemaTooNewError';
}

/**
 * Brings the schema up to date under an advisory lock, so that collectors starting together apply each
 * migration once; refuses a schema newer than this code knows (it would misread it). Returns the
 * versions before and after.
 */
export async function migrate(client: ClientBase, schema: string): Promise<{ from: number; to: number }> {
  await client.query('SELECT pg_advisory_lock($1, $2)', [LOCK_CLASS, lockKey(schema, 'migrate')]);
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
    await client.query(`SET search_path TO ${quoteIdent(schema)}`);
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const { rows } = await client.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations');
    const from = rows[0]?.v ?? 0;
    if (from > LATEST_VERSION) {
      throw new SchemaTooNewError(
        `[tillit-collector] the database schema is at version ${from}, newer than this collector knows (${LATEST_VERSION}): ` +
          'run the newer collector, or restore a backup taken before it migrated',
      );
    }
    for (const migration of MIGRATIONS) {
      if (migration.version <= from) continue;
      await client.query('BEGIN');
      try {
        await client.query(migration.sql);
        await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new Error(
          `[tillit-collector] migration ${migration.version} (${migration.name}) failed: ${(error as Error).message}`,
        );
      }
    }
    return { from, to: LATEST_VERSION };
  } finally {
    await client.query('SELECT pg_advisory_unlock($1, $2)', [LOCK_CLASS, lockKey(schema, 'migrate')]).catch(() => {});
  }
}

/** An identifier quoted for SQL (schema names come from configuration). */
export const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;
