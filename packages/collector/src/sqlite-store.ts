import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type {
  AuditRow,
  ConsentRow,
  ErasureCounts,
  EventRow,
  IdentityLinkRow,
  RequestRow,
  Store,
  SubjectRef,
  SubjectRows,
  Suppression,
} from './store.js';

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

const EVENT_COLUMNS =
  'message_id AS messageId, site, type, event, anonymous_id AS anonymousId, user_id AS userId, timestamp, received_at AS receivedAt, payload';
const CONSENT_COLUMNS = `receipt_id AS receiptId, site, anonymous_id AS anonymousId, user_id AS userId, purposes,
  policy_version AS policyVersion, source, text_hash AS textHash, decided_at AS decidedAt, received_at AS receivedAt, locale, url`;
const LINK_COLUMNS = 'anonymous_id AS anonymousId, user_id AS userId, first_seen_at AS firstSeenAt, last_seen_at AS lastSeenAt';
const AUDIT_COLUMNS = 'at, site, action, subject_hash AS subjectHash, via, outcome, receipt_id AS receiptId';
const REQUEST_COLUMNS = `receipt_id AS receiptId, site, kind, channel, subject_hash AS subjectHash, reference,
  received_at AS receivedAt, due_at AS dueAt, state, updated_at AS updatedAt, answered_at AS answeredAt`;
// Rows a subject owns, for an anonymous id (?2 = the id, ?3 = null) or a user (?2 = JSON array of linked
// anonymous ids, ?3 = the user id). json_each stands where PostgreSQL would take = ANY($2).
const OWNED = '(anonymous_id IN (SELECT value FROM json_each(@anonIds)) OR user_id = @userId)';
// identity_links is keyed (site, anonymous_id, user_id): with OWNED's OR the planner scans the whole site,
// so links are found by anonymous id (a user's anonymous ids are those linked to it), then the user's only.
const OWNED_LINKS =
  'site = @site AND anonymous_id IN (SELECT value FROM json_each(@anonIds)) AND (@userId IS NULL OR user_id = @userId)';
/** Rows deleted per statement by retention, so a big backlog never holds the write lock for long. */
const RETENTION_CHUNK = 5_000;
const ANSWERED_STATES = new Set(['answered', 'refused', 'withdrawn']);

export interface SqliteStoreOptions {
  dataDir: string;
  durability?: 'full' | 'normal';
  /** File name inside dataDir. */
  fileName?: string;
}

interface PendingInsert {
  rows: EventRow[];
  resolve: (inserted: boolean[]) => void;
  reject: (error: Error) => void;
}

/**
 * Embedded SQLite (better-sqlite3, WAL). Inserts from concurrent requests are committed together
 * (group commit): one transaction per turn of the event loop instead of one per request, and each
 * request is answered only after its rows are committed.
 */
export class SqliteStore implements Store {
  readonly db: Database.Database;
  readonly path: string;
  private pending: PendingInsert[] = [];
  private flushScheduled = false;
  private readonly insertEvent: Database.Statement;
  private readonly insertConsent: Database.Statement;
  private readonly bindSecret: Database.Statement;
  private readonly upsertLink: Database.Statement;

  constructor(options: SqliteStoreOptions) {
    mkdirSync(options.dataDir, { recursive: true });
    this.path = join(options.dataDir, options.fileName ?? 'tillit.db');
    this.db = new Database(this.path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${options.durability === 'normal' ? 'NORMAL' : 'FULL'}`);
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
    this.insertEvent = this.db.prepare(
      `INSERT OR IGNORE INTO events (message_id, site, type, event, anonymous_id, user_id, timestamp, received_at, payload)
       VALUES (@messageId, @site, @type, @event, @anonymousId, @userId, @timestamp, @receivedAt, @payload)`,
    );
    this.insertConsent = this.db.prepare(
      `INSERT INTO consent_records (receipt_id, record_id, site, anonymous_id, user_id, purposes, policy_version, source, text_hash, decided_at, received_at, locale, url)
       VALUES (@receiptId, @recordId, @site, @anonymousId, @userId, @purposes, @policyVersion, @source, @textHash, @decidedAt, @receivedAt, @locale, @url)`,
    );
    this.bindSecret = this.db.prepare(
      'INSERT OR IGNORE INTO subjects (anonymous_id, site, secret_hash, created_at) VALUES (?, ?, ?, ?)',
    );
    this.upsertLink = this.db.prepare(
      `INSERT INTO identity_links (site, anonymous_id, user_id, first_seen_at, last_seen_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (site, anonymous_id, user_id) DO UPDATE SET last_seen_at = max(last_seen_at, excluded.last_seen_at)`,
    );
  }

  insertEvents(rows: EventRow[]): Promise<boolean[]> {
    if (rows.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.pending.push({ rows, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commits every pending insert in one transaction. */
  private flush(): void {
    this.flushScheduled = false;
    const group = this.pending;
    this.pending = [];
    if (group.length === 0) return;
    let results: boolean[][];
    try {
      results = this.db.transaction(() =>
        group.map(({ rows }) =>
          rows.map((row) => {
            const inserted = this.insertEvent.run(row).changes === 1;
            // identify is what links a browser to a user; only new rows, so a retry costs nothing more.
            if (inserted && row.type === 'identify' && row.anonymousId && row.userId) {
              this.upsertLink.run(row.site, row.anonymousId, row.userId, row.receivedAt, row.receivedAt);
            }
            return inserted;
          }),
        ),
      )();
    } catch (error) {
      for (const item of group) item.reject(error as Error);
      return;
    }
    for (const [i, item] of group.entries()) item.resolve(results[i]!);
  }

  /** The receipt of the record already stored under this record id, if the client sent it before. */
  private receiptOf(row: ConsentRow): string | null {
    if (!row.recordId) return null;
    const found = this.db
      .prepare('SELECT receipt_id AS receiptId FROM consent_records WHERE site = ? AND record_id = ?')
      .get(row.site, row.recordId) as { receiptId: string } | undefined;
    return found?.receiptId ?? null;
  }

  async appendConsent(row: ConsentRow, secretHash: string | null): Promise<string> {
    return this.db.transaction(() => {
      const stored = this.receiptOf(row);
      if (stored) return stored;
      this.insertConsent.run(row);
      if (secretHash && row.anonymousId) this.bindSecret.run(row.anonymousId, row.site, secretHash, row.receivedAt);
      if (row.anonymousId && row.userId)
        this.upsertLink.run(row.site, row.anonymousId, row.userId, row.receivedAt, row.receivedAt);
      return row.receiptId;
    })();
  }

  async appendPseudonymousConsent(row: ConsentRow, subjectHash: string): Promise<string> {
    return this.db.transaction(() => {
      const stored = this.receiptOf(row);
      if (stored) return stored;
      this.db
        .prepare(
          `INSERT INTO consent_records (receipt_id, record_id, site, anonymous_id, user_id, subject_hash, purposes, policy_version, source, text_hash, decided_at, received_at, locale, url)
           VALUES (@receiptId, @recordId, @site, NULL, NULL, @subjectHash, @purposes, @policyVersion, @source, @textHash, @decidedAt, @receivedAt, @locale, NULL)`,
        )
        .run({ ...row, subjectHash });
      return row.receiptId;
    })();
  }

  async findSubject(anonymousId: string): Promise<{ site: string; secretHash: string } | null> {
    const row = this.db.prepare('SELECT site, secret_hash AS secretHash FROM subjects WHERE anonymous_id = ?').get(anonymousId);
    return (row as { site: string; secretHash: string } | undefined) ?? null;
  }

  /** The anonymous ids a subject owns: itself, or for a user every id linked to it. */
  private anonIdsOf(ref: SubjectRef): string[] {
    if (ref.kind === 'anonymous') return [ref.id];
    return (
      this.db.prepare('SELECT anonymous_id AS a FROM identity_links WHERE site = ? AND user_id = ?').all(ref.site, ref.id) as {
        a: string;
      }[]
    ).map((r) => r.a);
  }

  private ownedParams(ref: SubjectRef, anonIds: string[]) {
    return { site: ref.site, anonIds: JSON.stringify(anonIds), userId: ref.kind === 'user' ? ref.id : null };
  }

  async readSubject(ref: SubjectRef, subjectHash: string): Promise<SubjectRows> {
    this.flush();
    return this.db.transaction(() => {
      const anonIds = this.anonIdsOf(ref);
      const p = this.ownedParams(ref, anonIds);
      const all = <T>(sql: string, params: unknown) => this.db.prepare(sql).all(params) as T[];
      return {
        subjects: all<{ anonymousId: string; createdAt: number }>(
          `SELECT anonymous_id AS anonymousId, created_at AS createdAt FROM subjects
           WHERE site = @site AND anonymous_id IN (SELECT value FROM json_each(@anonIds)) ORDER BY created_at`,
          { site: p.site, anonIds: p.anonIds },
        ),
        events: all<EventRow>(`SELECT ${EVENT_COLUMNS} FROM events WHERE site = @site AND ${OWNED} ORDER BY timestamp, id`, p),
        consent: all<ConsentRow>(`SELECT ${CONSENT_COLUMNS} FROM consent_records WHERE site = @site AND ${OWNED} ORDER BY id`, p),
        links: all<IdentityLinkRow>(`SELECT ${LINK_COLUMNS} FROM identity_links WHERE ${OWNED_LINKS}`, p),
        audit: all<AuditRow>(`SELECT ${AUDIT_COLUMNS} FROM audit_log WHERE subject_hash = @h ORDER BY id`, { h: subjectHash }),
        requests: all<RequestRow>(`SELECT ${REQUEST_COLUMNS} FROM dsr_requests WHERE subject_hash = @h ORDER BY received_at`, {
          h: subjectHash,
        }),
      };
    })();
  }

  async eraseSubject(
    ref: SubjectRef,
    subjectHash: string,
    hashOf: (kind: SubjectRef['kind'], id: string) => string,
    audit: AuditRow,
    onCommitted: (suppressed: Suppression[]) => void,
  ): Promise<ErasureCounts> {
    // Events still waiting for the group commit are committed first, so that the erasure deletes them too.
    this.flush();
    const erasedAt = audit.at;
    let suppressed: Suppression[] = [];
    const counts = this.db.transaction((): ErasureCounts => {
      const anonIds = this.anonIdsOf(ref);
      const p = this.ownedParams(ref, anonIds);
      const run = (sql: string, params: unknown) => this.db.prepare(sql).run(params).changes;
      const result = {
        events: run(`DELETE FROM events WHERE site = @site AND ${OWNED}`, p),
        identityLinks: run(`DELETE FROM identity_links WHERE ${OWNED_LINKS}`, p),
        subjects: run('DELETE FROM subjects WHERE site = @site AND anonymous_id IN (SELECT value FROM json_each(@anonIds))', p),
        consentRecords: run(
          `UPDATE consent_records SET anonymous_id = NULL, user_id = NULL, subject_hash = @subjectHash WHERE site = @site AND ${OWNED}`,
          { ...p, subjectHash },
        ),
      };
      suppressed = [
        ...anonIds.map((id) => ({ hash: hashOf('anonymous', id), erasedAt })),
        ...(ref.kind === 'user' ? [{ hash: hashOf('user', ref.id), erasedAt }] : []),
      ];
      const suppress = this.db.prepare('INSERT OR REPLACE INTO suppressions (hash, erased_at) VALUES (?, ?)');
      for (const s of suppressed) suppress.run(s.hash, s.erasedAt);
      this.insertAudit(audit);
      return result;
    })();
    onCommitted(suppressed);
    return counts;
  }

  private insertAudit(row: AuditRow): void {
    this.db
      .prepare(
        `INSERT INTO audit_log (at, site, action, subject_hash, via, outcome, receipt_id)
         VALUES (@at, @site, @action, @subjectHash, @via, @outcome, @receiptId)`,
      )
      .run(row);
  }

  async loadSuppressions(): Promise<Suppression[]> {
    return this.db.prepare('SELECT hash, erased_at AS erasedAt FROM suppressions').all() as Suppression[];
  }

  async appendAudit(row: AuditRow): Promise<void> {
    this.insertAudit(row);
  }

  async listAudit(options: { limit: number; before?: number }): Promise<AuditRow[]> {
    return this.db
      .prepare(`SELECT ${AUDIT_COLUMNS} FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT ?`)
      .all(options.before ?? Number.MAX_SAFE_INTEGER, options.limit) as AuditRow[];
  }

  async insertRequest(row: RequestRow): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO dsr_requests (receipt_id, site, kind, channel, subject_hash, reference, received_at, due_at, state, updated_at, answered_at)
         VALUES (@receiptId, @site, @kind, @channel, @subjectHash, @reference, @receivedAt, @dueAt, @state, @updatedAt, @answeredAt)`,
      )
      .run(row);
  }

  async listRequests(options: { openOnly: boolean }): Promise<RequestRow[]> {
    const where = options.openOnly ? 'WHERE answered_at IS NULL' : '';
    return this.db.prepare(`SELECT ${REQUEST_COLUMNS} FROM dsr_requests ${where} ORDER BY due_at`).all() as RequestRow[];
  }

  async updateRequest(receiptId: string, state: string, at: number): Promise<RequestRow | null> {
    const answeredAt = ANSWERED_STATES.has(state) ? at : null;
    this.db
      .prepare('UPDATE dsr_requests SET state = ?, updated_at = ?, answered_at = ? WHERE receipt_id = ?')
      .run(state, at, answeredAt, receiptId);
    return (
      (this.db.prepare(`SELECT ${REQUEST_COLUMNS} FROM dsr_requests WHERE receipt_id = ?`).get(receiptId) as RequestRow) ?? null
    );
  }

  async deleteExpired(cutoff: number): Promise<{ events: number; identityLinks: number }> {
    // Usually nothing has expired: a read is enough then, and start-up takes no write lock.
    const anyEvent = this.db.prepare('SELECT 1 FROM events WHERE received_at < ? LIMIT 1').get(cutoff);
    const anyLink = this.db.prepare('SELECT 1 FROM identity_links WHERE last_seen_at < ? LIMIT 1').get(cutoff);
    if (!anyEvent && !anyLink) return { events: 0, identityLinks: 0 };
    const chunk = this.db.prepare(
      `DELETE FROM events WHERE id IN (SELECT id FROM events WHERE received_at < ? ORDER BY received_at LIMIT ${RETENTION_CHUNK})`,
    );
    let events = 0;
    for (;;) {
      const n = chunk.run(cutoff).changes;
      events += n;
      if (n < RETENTION_CHUNK) break;
      // Lets ingest requests in between, so a large first purge does not stall them.
      await new Promise((resolve) => setImmediate(resolve));
    }
    const identityLinks = this.db.prepare('DELETE FROM identity_links WHERE last_seen_at < ?').run(cutoff).changes;
    return { events, identityLinks };
  }

  async countEvents(): Promise<number> {
    return (this.db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
  }

  async close(): Promise<void> {
    this.flush();
    if (this.db.open) this.db.close();
  }
}
