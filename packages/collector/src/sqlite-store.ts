import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
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

const INSERT_EVENT = `INSERT OR IGNORE INTO events (message_id, site, type, event, anonymous_id, user_id, timestamp, received_at, payload)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`;
const UPSERT_LINK = `INSERT INTO identity_links (site, anonymous_id, user_id, first_seen_at, last_seen_at) VALUES (?, ?, ?, ?, ?)
  ON CONFLICT (site, anonymous_id, user_id) DO UPDATE SET last_seen_at = max(last_seen_at, excluded.last_seen_at)`;
/** Values per row in the flat arrays that carry rows to the writer (the order of INSERT_EVENT). */
const ROW_WIDTH = 9;

/**
 * The writer thread: commits each group of event rows it is sent in one transaction on its own
 * connection, and answers with one flag per row (1 inserted, 0 duplicate). Plain JavaScript in a
 * string, so that it runs the same from the sources (tests) and from the bundle.
 */
const WRITER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma('synchronous = ' + workerData.synchronous);
db.pragma('busy_timeout = 5000');
const insert = db.prepare(workerData.insertEvent);
const link = db.prepare(workerData.upsertLink);
const W = ${ROW_WIDTH};
const commit = db.transaction((v) => {
  const flags = new Uint8Array(v.length / W);
  for (let i = 0, r = 0; i < v.length; i += W, r++) {
    if (insert.run(v[i], v[i + 1], v[i + 2], v[i + 3], v[i + 4], v[i + 5], v[i + 6], v[i + 7], v[i + 8]).changes !== 1) continue;
    flags[r] = 1;
    // identify is what links a browser to a user; only new rows, so a retry costs nothing more.
    if (v[i + 2] === 'identify' && v[i + 4] && v[i + 5]) link.run(v[i + 1], v[i + 4], v[i + 5], v[i + 7], v[i + 7]);
  }
  return flags;
});
parentPort.on('message', (values) => {
  if (values === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  let flags;
  try {
    flags = commit(values);
  } catch (error) {
    parentPort.postMessage({ error: String(error && error.message) });
    return;
  }
  parentPort.postMessage(flags, [flags.buffer]);
});
`;

export interface SqliteStoreOptions {
  dataDir: string;
  durability?: 'full' | 'normal';
  /** File name inside dataDir. */
  fileName?: string;
  /**
   * Commit events on a writer thread (default), so SQLite runs on another core while this thread reads
   * and validates requests; false commits them on this thread.
   * @defaultValue true
   */
  writerThread?: boolean;
}

interface PendingInsert {
  rows: EventRow[];
  resolve: (inserted: boolean[]) => void;
  reject: (error: Error) => void;
}

/**
 * Embedded SQLite (better-sqlite3, WAL). Inserts from concurrent requests are committed together
 * (group commit), and each request is answered only after its rows are committed. Events are committed
 * on a writer thread with its own connection: while it commits one group, the next one gathers (every
 * request that arrived meanwhile), so transactions grow with the load.
 *
 * Every other write (consent, erasure, audit, requests, retention) runs on this thread's connection in
 * an exclusive section: new groups wait, the writer finishes the group it has, the waiting rows are
 * committed here, then the write runs. So an erasure sees every event that was filtered against the
 * suppressions before it, exactly as when everything ran on one thread.
 */
export class SqliteStore implements Store {
  readonly db: Database.Database;
  readonly path: string;
  private pending: PendingInsert[] = [];
  private flushScheduled = false;
  /** The group the writer is committing now. */
  private sent: PendingInsert[] | null = null;
  private writer: Worker | null = null;
  /** Exclusive sections waiting for the writer to finish its group. */
  private waiting: (() => void)[] = [];
  private exclusives = 0;
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
    this.insertEvent = this.db.prepare(INSERT_EVENT);
    this.insertConsent = this.db.prepare(
      `INSERT INTO consent_records (receipt_id, record_id, site, anonymous_id, user_id, purposes, policy_version, source, text_hash, decided_at, received_at, locale, url)
       VALUES (@receiptId, @recordId, @site, @anonymousId, @userId, @purposes, @policyVersion, @source, @textHash, @decidedAt, @receivedAt, @locale, @url)`,
    );
    this.bindSecret = this.db.prepare(
      'INSERT OR IGNORE INTO subjects (anonymous_id, site, secret_hash, created_at) VALUES (?, ?, ?, ?)',
    );
    this.upsertLink = this.db.prepare(UPSERT_LINK);
    if (options.writerThread !== false) this.startWriter(options.durability === 'normal' ? 'NORMAL' : 'FULL');
  }

  private startWriter(synchronous: string): void {
    const writer = new Worker(WRITER_SOURCE, {
      eval: true,
      workerData: {
        driver: createRequire(import.meta.url).resolve('better-sqlite3'),
        path: this.path,
        synchronous,
        insertEvent: INSERT_EVENT,
        upsertLink: UPSERT_LINK,
      },
    });
    // Kept alive only while it holds a group: an idle store does not keep the process running.
    writer.unref();
    writer.on('message', (answer: Uint8Array | { error: string }) => this.committed(answer));
    const lost = (error: Error) => {
      if (this.writer !== writer) return;
      // The rows of the lost group are not known to be committed: those requests fail (the client
      // retries, dedup makes that safe). From now on events are committed on this thread.
      console.error(`[tillit-collector] the SQLite writer thread stopped (${error.message}); committing on the main thread`);
      this.writer = null;
      this.committed({ error: error.message });
    };
    writer.on('error', lost);
    writer.on('exit', (code) => lost(new Error(`exit code ${code}`)));
    this.writer = writer;
  }

  insertEvents(rows: EventRow[]): Promise<boolean[]> {
    if (rows.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.pending.push({ rows, resolve, reject });
      if (!this.flushScheduled && this.sent === null) {
        this.flushScheduled = true;
        // Gathers every request of this turn of the event loop into the group.
        setImmediate(() => this.send());
      }
    });
  }

  /** Hands the pending rows to the writer as one group, unless it is busy or an exclusive section waits. */
  private send(): void {
    this.flushScheduled = false;
    if (this.sent !== null || this.waiting.length > 0 || this.exclusives > 0 || this.pending.length === 0) return;
    if (!this.writer) {
      this.flush();
      return;
    }
    const group = this.pending;
    this.pending = [];
    let size = 0;
    for (const { rows } of group) size += rows.length;
    const values = new Array<unknown>(size * ROW_WIDTH);
    let i = 0;
    for (const { rows } of group) {
      for (const row of rows) {
        values[i++] = row.messageId;
        values[i++] = row.site;
        values[i++] = row.type;
        values[i++] = row.event;
        values[i++] = row.anonymousId;
        values[i++] = row.userId;
        values[i++] = row.timestamp;
        values[i++] = row.receivedAt;
        values[i++] = row.payload;
      }
    }
    this.sent = group;
    this.writer.ref();
    this.writer.postMessage(values);
  }

  /** The writer's answer for the group it was sent. */
  private committed(answer: Uint8Array | { error: string }): void {
    const group = this.sent;
    if (group === null) return;
    this.sent = null;
    this.writer?.unref();
    if (answer instanceof Uint8Array) {
      let at = 0;
      for (const item of group) {
        const inserted = new Array<boolean>(item.rows.length);
        for (let r = 0; r < item.rows.length; r++) inserted[r] = answer[at++] === 1;
        item.resolve(inserted);
      }
    } else {
      const error = new Error(answer.error);
      for (const item of group) item.reject(error);
    }
    const waiting = this.waiting;
    if (waiting.length > 0) {
      this.waiting = [];
      this.exclusives += waiting.length;
      for (const wake of waiting) wake();
    } else {
      // Rows that came while the writer was busy go at once: they have waited one commit already.
      this.send();
    }
  }

  /**
   * Runs `fn` on this thread's connection once the writer is idle, after committing the rows waiting
   * for it here: a write (or a read that must see them) ordered after every insert requested before it.
   */
  private async exclusive<T>(fn: () => T): Promise<T> {
    // committed() counts a waiting section in `exclusives` as it wakes it, so no group is sent in between.
    if (this.sent !== null) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.exclusives++;
    try {
      this.flush();
      return fn();
    } finally {
      if (--this.exclusives === 0) this.send();
    }
  }

  /** Commits every pending insert in one transaction on this thread (no writer, or an exclusive section). */
  private flush(): void {
    const group = this.pending;
    this.pending = [];
    if (group.length === 0) return;
    let results: boolean[][];
    try {
      results = this.db.transaction(() =>
        group.map(({ rows }) =>
          rows.map((row) => {
            const inserted =
              this.insertEvent.run(
                row.messageId,
                row.site,
                row.type,
                row.event,
                row.anonymousId,
                row.userId,
                row.timestamp,
                row.receivedAt,
                row.payload,
              ).changes === 1;
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

  appendConsent(row: ConsentRow, secretHash: string | null): Promise<string> {
    return this.exclusive(
      this.db.transaction(() => {
        const stored = this.receiptOf(row);
        if (stored) return stored;
        this.insertConsent.run(row);
        if (secretHash && row.anonymousId) this.bindSecret.run(row.anonymousId, row.site, secretHash, row.receivedAt);
        if (row.anonymousId && row.userId)
          this.upsertLink.run(row.site, row.anonymousId, row.userId, row.receivedAt, row.receivedAt);
        return row.receiptId;
      }),
    );
  }

  appendPseudonymousConsent(row: ConsentRow, subjectHash: string): Promise<string> {
    return this.exclusive(
      this.db.transaction(() => {
        const stored = this.receiptOf(row);
        if (stored) return stored;
        this.db
          .prepare(
            `INSERT INTO consent_records (receipt_id, record_id, site, anonymous_id, user_id, subject_hash, purposes, policy_version, source, text_hash, decided_at, received_at, locale, url)
           VALUES (@receiptId, @recordId, @site, NULL, NULL, @subjectHash, @purposes, @policyVersion, @source, @textHash, @decidedAt, @receivedAt, @locale, NULL)`,
          )
          .run({ ...row, subjectHash });
        return row.receiptId;
      }),
    );
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

  readSubject(ref: SubjectRef, subjectHash: string): Promise<SubjectRows> {
    // Exclusive so that it sees the events of every request before it, as erasure does.
    return this.exclusive(
      this.db.transaction(() => {
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
          consent: all<ConsentRow>(
            `SELECT ${CONSENT_COLUMNS} FROM consent_records WHERE site = @site AND ${OWNED} ORDER BY id`,
            p,
          ),
          links: all<IdentityLinkRow>(`SELECT ${LINK_COLUMNS} FROM identity_links WHERE ${OWNED_LINKS}`, p),
          audit: all<AuditRow>(`SELECT ${AUDIT_COLUMNS} FROM audit_log WHERE subject_hash = @h ORDER BY id`, { h: subjectHash }),
          requests: all<RequestRow>(`SELECT ${REQUEST_COLUMNS} FROM dsr_requests WHERE subject_hash = @h ORDER BY received_at`, {
            h: subjectHash,
          }),
        };
      }),
    );
  }

  async eraseSubject(
    ref: SubjectRef,
    subjectHash: string,
    hashOf: (kind: SubjectRef['kind'], id: string) => string,
    audit: AuditRow,
    onCommitted: (suppressed: Suppression[]) => void,
  ): Promise<ErasureCounts> {
    // Events still waiting for the group commit are committed first (exclusive), so that the erasure
    // deletes them too; the suppressions are in place before any other request runs.
    const erasedAt = audit.at;
    let suppressed: Suppression[] = [];
    const erase = this.db.transaction((): ErasureCounts => {
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
    });
    return this.exclusive(() => {
      const counts = erase();
      onCommitted(suppressed);
      return counts;
    });
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

  appendAudit(row: AuditRow): Promise<void> {
    return this.exclusive(() => this.insertAudit(row));
  }

  async listAudit(options: { limit: number; before?: number }): Promise<AuditRow[]> {
    return this.db
      .prepare(`SELECT ${AUDIT_COLUMNS} FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT ?`)
      .all(options.before ?? Number.MAX_SAFE_INTEGER, options.limit) as AuditRow[];
  }

  insertRequest(row: RequestRow): Promise<void> {
    return this.exclusive(() => {
      this.db
        .prepare(
          `INSERT INTO dsr_requests (receipt_id, site, kind, channel, subject_hash, reference, received_at, due_at, state, updated_at, answered_at)
         VALUES (@receiptId, @site, @kind, @channel, @subjectHash, @reference, @receivedAt, @dueAt, @state, @updatedAt, @answeredAt)`,
        )
        .run(row);
    });
  }

  async listRequests(options: { openOnly: boolean }): Promise<RequestRow[]> {
    const where = options.openOnly ? 'WHERE answered_at IS NULL' : '';
    return this.db.prepare(`SELECT ${REQUEST_COLUMNS} FROM dsr_requests ${where} ORDER BY due_at`).all() as RequestRow[];
  }

  async updateRequest(receiptId: string, state: string, at: number): Promise<RequestRow | null> {
    const answeredAt = ANSWERED_STATES.has(state) ? at : null;
    await this.exclusive(() =>
      this.db
        .prepare('UPDATE dsr_requests SET state = ?, updated_at = ?, answered_at = ? WHERE receipt_id = ?')
        .run(state, at, answeredAt, receiptId),
    );
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
      const n = await this.exclusive(() => chunk.run(cutoff).changes);
      events += n;
      if (n < RETENTION_CHUNK) break;
      // Lets ingest requests in between, so a large first purge does not stall them.
      await new Promise((resolve) => setImmediate(resolve));
    }
    const identityLinks = await this.exclusive(
      () => this.db.prepare('DELETE FROM identity_links WHERE last_seen_at < ?').run(cutoff).changes,
    );
    return { events, identityLinks };
  }

  async countEvents(): Promise<number> {
    return (this.db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
  }

  async close(): Promise<void> {
    if (!this.db.open) return;
    const writer = await this.exclusive(() => {
      const running = this.writer;
      this.writer = null;
      return running;
    });
    if (writer) {
      const exited = new Promise((resolve) => writer.once('exit', resolve));
      // Held until it has closed its connection (an unreferenced worker lets the process end first).
      writer.ref();
      writer.postMessage('close');
      await exited;
    }
    if (this.db.open) this.db.close();
  }
}
