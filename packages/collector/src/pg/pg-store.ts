import type pg from 'pg';
import { type FailureLimit, FailureLimiter } from '../rate-limit.js';
import { assertSchemaCurrent } from '../schema-check.js';
import type {
  AuditRow,
  ConsentDecisionRow,
  ConsentRow,
  ErasureCounts,
  EventQuery,
  EventRow,
  ExportPage,
  ExportQuery,
  ProcessingLimit,
  RequestRow,
  Store,
  SubjectRef,
  SubjectRows,
  Suppression,
} from '../store.js';
import { HOUR_MS, type PgConnectionOptions, PgDatabase } from './database.js';
import { PgFailureLimit } from './failure-limit.js';
import { PgOutbox } from '../destinations/pg-outbox.js';
import { GroupCommitter } from './group-commit.js';
import { LATEST_VERSION } from './migrations.js';
import { appendPgConsent, bindPgOriginSecret, insertConsent, linkPgIdentity } from './pg-consent.js';
import { commitPgEvents, type Hasher } from './pg-event-writer.js';
import { pgExportPage } from './pg-export.js';
import { addPgLimit, listPgConsentDecisions, listPgLimits, removePgLimit, streamPgEvents } from './pg-insights.js';
import { deleteExpiredPg } from './pg-retention.js';
import { erasePgSubject, insertPgAudit, readPgSubject } from './pg-subjects.js';
import { subjectIdsSql } from '../subject-ids-sql.js';
import { AUDIT_COLUMNS, COUNT_DENIED, REQUEST_COLUMNS } from './sql.js';

export interface PgStoreOptions extends PgConnectionOptions {
  /**
   * The collector's keyed hash of subject ids. With it, ingest and consent check the suppressions in
   * the database, inside their transaction: an erasure made by any collector holds for all at once.
   */
  hashOf?: Hasher;
}

const ANSWERED_STATES = new Set(['answered', 'refused', 'withdrawn']);

/**
 * PostgreSQL store, for several collector processes on one database. Events of concurrent requests are
 * committed together (group commit) as one multi-row INSERT ... ON CONFLICT DO NOTHING; an erasure takes
 * a database-wide advisory lock that every ingest and consent transaction holds shared, so it waits for
 * the groups in flight on every collector and the next ones see its suppressions.
 * The work is in the modules beside it: pg-event-writer (ingest), pg-consent, pg-subjects (access and
 * erasure), pg-retention, failure-limit, pg-insights; database.ts holds the pool and transactions.
 */
export class PgStore implements Store {
  readonly kind = 'postgres';
  readonly db: PgDatabase;
  private readonly hashOf: Hasher | undefined;
  private readonly events = new GroupCommitter<EventRow, boolean>((rows) => commitPgEvents(this.db, rows, this.hashOf));
  private closing: Promise<void> | undefined;
  readonly outbox: PgOutbox;

  constructor(options: PgStoreOptions) {
    this.db = new PgDatabase(options);
    this.hashOf = options.hashOf;
    this.outbox = new PgOutbox(this.db);
  }

  get schema(): string {
    return this.db.schema;
  }

  /** The pool of the collector's connections (made by start(), once the schema is known). */
  get pool(): pg.Pool {
    return this.db.pool;
  }

  /** Migrates (under an advisory lock) and makes the partitions, once; again on the next call if it failed. */
  start(): Promise<void> {
    return this.db.start();
  }

  /** Starts (migrating); the schema versions before and after this process's migration. */
  migrate(): Promise<{ from: number; to: number }> {
    return this.db.migrate();
  }

  insertEvents(rows: EventRow[]): Promise<boolean[]> {
    return this.events.add(rows);
  }

  appendConsent(row: ConsentRow, secretHash: string | null, options: { trusted?: boolean } = {}): Promise<string> {
    return appendPgConsent(this.db, this.hashOf, row, secretHash, options.trusted === true);
  }

  linkIdentity(link: { site: string; anonymousId: string; userId: string; at: number }): Promise<void> {
    return linkPgIdentity(this.db, link);
  }

  appendPseudonymousConsent(row: ConsentRow, subjectHash: string): Promise<string> {
    return this.db.tx((client) => insertConsent(client, row, subjectHash));
  }

  async findSubject(anonymousId: string): Promise<{ site: string; secretHashes: string[] } | null> {
    // The first secret first (subjects), then those bound through the identity cookie.
    const rows = await this.db.query<{ site: string; secretHash: string }>(
      `SELECT site, secret_hash AS "secretHash", 0 AS n FROM subjects WHERE anonymous_id = $1
       UNION ALL SELECT site, secret_hash, 1 FROM subject_secrets WHERE anonymous_id = $1 ORDER BY n`,
      [anonymousId],
    );
    return rows.length ? { site: rows[0]!.site, secretHashes: rows.map((row) => row.secretHash) } : null;
  }

  bindOriginSecret(binding: {
    site: string;
    anonymousId: string;
    origin: string;
    secretHash: string;
    at: number;
  }): Promise<boolean> {
    return bindPgOriginSecret(this.db, binding);
  }

  async readSubject(ref: SubjectRef, subjectHash: string): Promise<SubjectRows> {
    // After this process's inserts requested before it, as erasure.
    await this.events.drain();
    return readPgSubject(this.db, ref, subjectHash);
  }

  async eraseSubject(
    ref: SubjectRef,
    subjectHash: string,
    hashOf: (kind: SubjectRef['kind'], id: string) => string,
    audit: AuditRow,
    onCommitted: (suppressed: Suppression[]) => void,
  ): Promise<ErasureCounts> {
    await this.events.drain();
    const { counts, suppressed } = await erasePgSubject(this.db, ref, subjectHash, hashOf, audit);
    onCommitted(suppressed);
    return counts;
  }

  loadSuppressions(): Promise<Suppression[]> {
    return this.db.query<Suppression>('SELECT hash, erased_at AS "erasedAt" FROM suppressions');
  }

  async restoreSuppressions(entries: Suppression[]): Promise<void> {
    await this.db.query(
      `INSERT INTO suppressions (hash, erased_at) SELECT * FROM unnest($1::text[], $2::bigint[])
       ON CONFLICT (hash) DO UPDATE SET erased_at = excluded.erased_at`,
      [entries.map((s) => s.hash), entries.map((s) => s.erasedAt)],
    );
  }

  async *subjectIds(site: string): AsyncIterable<SubjectRef> {
    yield* (await this.db.query<SubjectRef>(subjectIdsSql('$1'), [site])).map((r) => ({ ...r, site }));
  }

  async subjectErasedAt(subjectHash: string): Promise<number | null> {
    const rows = await this.db.query<{ erasedAt: number }>('SELECT erased_at AS "erasedAt" FROM suppressions WHERE hash = $1', [
      subjectHash,
    ]);
    return rows[0]?.erasedAt ?? null;
  }

  async appendAudit(row: AuditRow): Promise<void> {
    await this.db.start();
    await insertPgAudit(this.db.pool, row);
  }

  async countDenied(action: string, at: number): Promise<void> {
    await this.db.query(COUNT_DENIED, [action, at - (at % HOUR_MS)]);
  }

  listAudit(options: { limit: number; before?: number }): Promise<AuditRow[]> {
    return this.db.query<AuditRow>(`SELECT ${AUDIT_COLUMNS} FROM audit_log WHERE id < $1 ORDER BY id DESC LIMIT $2`, [
      options.before ?? Number.MAX_SAFE_INTEGER,
      options.limit,
    ]);
  }

  async insertRequest(row: RequestRow): Promise<void> {
    await this.db.query(
      `INSERT INTO dsr_requests (receipt_id, site, kind, channel, subject_hash, reference, received_at, due_at, state, updated_at, answered_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
        row.receiptId,
        row.site,
        row.kind,
        row.channel,
        row.subjectHash,
        row.reference,
        row.receivedAt,
        row.dueAt,
        row.state,
        row.updatedAt,
        row.answeredAt,
      ],
    );
  }

  listRequests(options: { openOnly: boolean }): Promise<RequestRow[]> {
    const where = options.openOnly ? 'WHERE answered_at IS NULL' : '';
    return this.db.query<RequestRow>(`SELECT ${REQUEST_COLUMNS} FROM dsr_requests ${where} ORDER BY due_at`);
  }

  async updateRequest(receiptId: string, state: string, at: number): Promise<RequestRow | null> {
    const rows = await this.db.query<RequestRow>(
      `UPDATE dsr_requests SET state = $1, updated_at = $2, answered_at = $3 WHERE receipt_id = $4 RETURNING ${REQUEST_COLUMNS}`,
      [state, at, ANSWERED_STATES.has(state) ? at : null, receiptId],
    );
    return rows[0] ?? null;
  }

  deleteExpired(cutoff: number): Promise<{ events: number; identityLinks: number }> {
    return deleteExpiredPg(this.db, cutoff);
  }

  /** Counted in the database by every collector together; only with `hashOf` (keys are stored hashed). */
  failureLimit(name: string, maxFailures: number, windowMs: number): FailureLimit {
    const hashOf = this.hashOf;
    if (!hashOf) return new FailureLimiter(maxFailures, windowMs);
    // No configured site is named "\0limit:…", so a key's hash never equals a subject's.
    const hashAddress = (key: string) => hashOf(`\0limit:${name}`, 'anonymous', key);
    return new PgFailureLimit((sql, params) => this.db.query(sql, params), hashAddress, maxFailures, windowMs);
  }

  observeCommits(listener: (events: number) => void): void {
    this.events.onGroup = listener;
  }

  async ping(): Promise<void> {
    const [row] = await this.db.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations');
    assertSchemaCurrent(row?.v ?? null, LATEST_VERSION);
  }

  async *streamEvents(query: EventQuery): AsyncIterable<EventRow> {
    await this.db.start();
    await this.events.drain();
    yield* streamPgEvents(this.db.pool, query);
  }

  async exportEvents(query: ExportQuery): Promise<ExportPage> {
    await this.db.start();
    await this.events.drain();
    return pgExportPage(this.db.pool, query);
  }

  async addProcessingLimit(limit: ProcessingLimit): Promise<void> {
    await this.db.start();
    await addPgLimit(this.db.pool, limit);
  }

  async removeProcessingLimit(site: string, hash: string, right: ProcessingLimit['right']): Promise<boolean> {
    await this.db.start();
    return removePgLimit(this.db.pool, site, hash, right);
  }

  async listProcessingLimits(site: string): Promise<ProcessingLimit[]> {
    await this.db.start();
    return listPgLimits(this.db.pool, site);
  }

  async listConsentDecisions(site: string): Promise<ConsentDecisionRow[]> {
    await this.db.start();
    return listPgConsentDecisions(this.db.pool, site);
  }

  async countEvents(): Promise<number> {
    return (await this.db.query<{ n: number }>('SELECT count(*) AS n FROM events'))[0]!.n;
  }

  /** Commits what is pending, then closes the pool; again is a no-op. */
  close(): Promise<void> {
    this.closing ??= this.events.drain().then(() => this.db.end());
    return this.closing;
  }
}
