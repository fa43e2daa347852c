import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { ConsentRow, EventRow, Store } from './store.js';

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
CREATE TRIGGER IF NOT EXISTS consent_records_append_only_delete BEFORE DELETE ON consent_records
BEGIN SELECT RAISE(ABORT, 'consent_records is append-only'); END;
CREATE TRIGGER IF NOT EXISTS consent_records_append_only_update BEFORE UPDATE ON consent_records
WHEN NEW.receipt_id IS NOT OLD.receipt_id OR NEW.site IS NOT OLD.site OR NEW.purposes IS NOT OLD.purposes
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
`;

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
      `INSERT INTO consent_records (receipt_id, site, anonymous_id, user_id, purposes, policy_version, source, text_hash, decided_at, received_at, locale, url)
       VALUES (@receiptId, @site, @anonymousId, @userId, @purposes, @policyVersion, @source, @textHash, @decidedAt, @receivedAt, @locale, @url)`,
    );
    this.bindSecret = this.db.prepare(
      'INSERT OR IGNORE INTO subjects (anonymous_id, site, secret_hash, created_at) VALUES (?, ?, ?, ?)',
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
      results = this.db.transaction(() => group.map(({ rows }) => rows.map((row) => this.insertEvent.run(row).changes === 1)))();
    } catch (error) {
      for (const item of group) item.reject(error as Error);
      return;
    }
    for (const [i, item] of group.entries()) item.resolve(results[i]!);
  }

  async appendConsent(row: ConsentRow, secretHash: string | null): Promise<void> {
    this.db.transaction(() => {
      this.insertConsent.run(row);
      if (secretHash && row.anonymousId) this.bindSecret.run(row.anonymousId, row.site, secretHash, row.receivedAt);
    })();
  }

  async countEvents(): Promise<number> {
    return (this.db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
  }

  async close(): Promise<void> {
    this.flush();
    if (this.db.open) this.db.close();
  }
}
