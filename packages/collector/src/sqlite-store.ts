import { join } from 'node:path';
import Database from 'better-sqlite3';
import { lockDataDir, makeDataDir, touchOwnerOnly } from './data-dir.js';
import { SqliteOutbox, outboxErasure } from './destinations/sqlite-outbox.js';
import { GroupCommitter } from './group-commit.js';
import { ROW_WIDTH, WriterThread, commitEventValues, flattenRows } from './sqlite-event-writer.js';
import { readInPages, sqliteExportPage } from './sqlite-export.js';
import { assertSchemaCurrent } from './schema-check.js';
import { SQLITE_SCHEMA_VERSION, applySchema } from './sqlite-schema.js';
import { RETENTION_CHUNK, STREAM_EVENTS, type Statements, prepareStatements } from './sqlite-statements.js';
import type {
  AuditRow,
  ConsentDecisionRow,
  ConsentRow,
  ErasureCounts,
  EventQuery,
  EventRow,
  ExportPage,
  ExportQuery,
  IdentityLinkRow,
  ProcessingLimit,
  RequestRow,
  Store,
  SubjectRef,
  SubjectRows,
  Suppression,
} from './store.js';

const ANSWERED_STATES = new Set(['answered', 'refused', 'withdrawn']);
const HOUR_MS = 3_600_000;

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
  /**
   * Take the data directory's lock (default): a second collector on it is refused. False only for a
   * one-off reader beside the running collector (`tillit-collector insights`): it ingests nothing, so it
   * cannot let an erased id back in.
   * @defaultValue true
   */
  lock?: boolean;
}

/**
 * Embedded SQLite (better-sqlite3, WAL): the default {@link Store}. Events are group-committed
 * (group-commit.ts) on a writer thread with its own connection; every other write (consent, erasure,
 * audit, requests, retention) runs on this thread's connection in an exclusive section, after the rows
 * requested before it. If the writer thread dies, events are committed on this thread from then on.
 */
export class SqliteStore implements Store {
  readonly kind = 'sqlite';
  /** The main-thread connection (also for tests that check rows with SQL). */
  readonly db: Database.Database;
  readonly path: string;
  private readonly sql: Statements;
  private readonly committer: GroupCommitter;
  readonly outbox: SqliteOutbox;
  private readonly outboxErasure: ReturnType<typeof outboxErasure>;

  private readonly lock: { release(): void };
  private truncateTimer: NodeJS.Timeout | undefined;
  /** When the first erasure whose WAL residue waits for truncateWalSoon came. */
  private truncateFirst: number | undefined;

  constructor(options: SqliteStoreOptions) {
    makeDataDir(options.dataDir);
    this.lock = options.lock === false ? { release() {} } : lockDataDir(options.dataDir);
    this.path = join(options.dataDir, options.fileName ?? 'tillit.db');
    try {
      touchOwnerOnly(this.path);
      this.db = new Database(this.path);
    } catch (error) {
      this.lock.release();
      throw error;
    }
    const synchronous = options.durability === 'normal' ? 'NORMAL' : 'FULL';
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${synchronous}`);
    this.db.pragma('busy_timeout = 5000');
    // Erasure and retention delete through this connection: FAST zeroes a deleted row's bytes on the
    // pages the delete writes anyway, so an erased person's data does not linger in the file's free space.
    this.db.pragma('secure_delete = FAST');
    applySchema(this.db);
    this.sql = prepareStatements(this.db);
    const { insertEvent, upsertLink, enqueueEvent } = this.sql.maintenance;
    const commit = this.db.transaction((values: unknown[]) =>
      commitEventValues(values, ROW_WIDTH, insertEvent, upsertLink, enqueueEvent),
    );
    this.committer = new GroupCommitter((rows) => commit(flattenRows(rows)));
    this.outbox = new SqliteOutbox(this.db, (fn) => this.committer.exclusive(fn));
    this.outboxErasure = outboxErasure(this.db);
    if (options.writerThread !== false) {
      const writer: WriterThread = new WriterThread(this.path, synchronous, {
        answered: (answer, rows) => this.committer.answered(answer, rows),
        lost: (error) => {
          this.committer.writerLost(writer, error);
          // This connection may be closed already (a database that cannot be read): nothing to checkpoint then.
          if (this.db.open) this.db.pragma('wal_autocheckpoint = 1000');
        },
      });
      this.committer.useWriter(writer);
      // The writer thread checkpoints after this connection's writes (GroupCommitter.exclusive): an
      // erasure's ~300 WAL pages no longer make every 3rd or 4th erasure copy 1,000 pages on its request.
      this.db.pragma('wal_autocheckpoint = 0');
    }
  }

  insertEvents(rows: EventRow[]): Promise<boolean[]> {
    return this.committer.insert(rows);
  }

  /** The receipt of the record already stored under this record id, if the client sent it before. */
  private receiptOf(row: ConsentRow): string | null {
    if (!row.recordId) return null;
    return (this.sql.consent.receiptOf.get(row.site, row.recordId) as { receiptId: string } | undefined)?.receiptId ?? null;
  }

  appendConsent(row: ConsentRow, secretHash: string | null, options: { trusted?: boolean } = {}): Promise<string> {
    const { insert, bindSecret, upsertLink } = this.sql.consent;
    return this.committer.exclusive(
      this.db.transaction(() => {
        const stored = this.receiptOf(row);
        if (stored) return stored;
        const { anonymousId, userId, site, receivedAt } = row;
        if (secretHash && anonymousId) bindSecret.run(anonymousId, site, secretHash, receivedAt);
        const proven = options.trusted === true || (userId !== null && this.provesUser(row));
        insert.run({ ...row, userId: proven ? userId : null, subjectHash: null });
        if (anonymousId && userId) upsertLink.run(site, anonymousId, userId, receivedAt, receivedAt, proven ? 1 : 0);
        return row.receiptId;
      }),
    );
  }

  /**
   * Whether a record the caller could not vouch for may claim its user: only by a proven link. (The
   * anonymous id's secret proves the browser, not the user: anyone can make a secret for a new id.)
   */
  private provesUser(row: ConsentRow): boolean {
    if (!row.anonymousId || !row.userId) return false;
    return this.sql.consent.isLinkProven.get(row.site, row.anonymousId, row.userId) !== undefined;
  }

  async linkIdentity(link: { site: string; anonymousId: string; userId: string; at: number }): Promise<void> {
    const { site, anonymousId, userId, at } = link;
    await this.committer.exclusive(() => this.sql.consent.upsertLink.run(site, anonymousId, userId, at, at, 1));
  }

  appendPseudonymousConsent(row: ConsentRow, subjectHash: string): Promise<string> {
    return this.committer.exclusive(
      this.db.transaction(() => {
        const stored = this.receiptOf(row);
        if (stored) return stored;
        this.sql.consent.insert.run({ ...row, anonymousId: null, userId: null, url: null, subjectHash });
        return row.receiptId;
      }),
    );
  }

  async findSubject(anonymousId: string): Promise<{ site: string; secretHashes: string[] } | null> {
    const rows = this.sql.consent.findSubject.all({ id: anonymousId }) as { site: string; secretHash: string }[];
    return rows.length ? { site: rows[0]!.site, secretHashes: rows.map((row) => row.secretHash) } : null;
  }

  bindOriginSecret(binding: {
    site: string;
    anonymousId: string;
    origin: string;
    secretHash: string;
    at: number;
  }): Promise<boolean> {
    return this.committer.exclusive(() => this.sql.consent.bindOriginSecret.run(binding).changes > 0);
  }

  /** The parameters of the statements about what a subject owns: for a user, every anonymous id linked to it. */
  private owned(ref: SubjectRef) {
    const anonIds = ref.kind === 'anonymous' ? [ref.id] : (this.sql.subject.provenAnonIds.all(ref.site, ref.id) as string[]);
    return { anonIds, params: { site: ref.site, anonIds: JSON.stringify(anonIds), userId: ref.kind === 'user' ? ref.id : null } };
  }

  readSubject(ref: SubjectRef, subjectHash: string): Promise<SubjectRows> {
    const { read } = this.sql.subject;
    // Exclusive so that it sees the events of every request before it, as erasure does.
    return this.committer.exclusive(
      this.db.transaction(() => {
        const { params } = this.owned(ref);
        return {
          subjects: read.subjects.all(params) as SubjectRows['subjects'],
          events: read.events.all(params) as EventRow[],
          consent: read.consent.all(params) as ConsentRow[],
          links: (read.links.all(params) as (Omit<IdentityLinkRow, 'proven'> & { proven: number })[]).map((link) => ({
            ...link,
            proven: link.proven === 1,
          })),
          audit: read.audit.all(subjectHash) as AuditRow[],
          requests: read.requests.all(subjectHash) as RequestRow[],
        };
      }),
    );
  }

  eraseSubject(
    ref: SubjectRef,
    subjectHash: string,
    hashOf: (kind: SubjectRef['kind'], id: string) => string,
    audit: AuditRow,
    onCommitted: (suppressed: Suppression[]) => void,
  ): Promise<ErasureCounts> {
    const { erase } = this.sql.subject;
    const erasedAt = audit.at;
    const transaction = this.db.transaction(() => {
      const { anonIds, params } = this.owned(ref);
      this.outboxErasure(params, ref, anonIds, audit);
      erase.secrets.run(params);
      const counts: ErasureCounts = {
        events: erase.events.run(params).changes,
        identityLinks: (ref.kind === 'user' ? erase.linksOfUser : erase.linksOfAnon).run(params).changes,
        subjects: erase.subjects.run(params).changes,
        consentRecords: erase.consent.run({ ...params, subjectHash }).changes,
      };
      const suppressed = [
        ...anonIds.map((id) => ({ hash: hashOf('anonymous', id), erasedAt })),
        ...(ref.kind === 'user' ? [{ hash: hashOf('user', ref.id), erasedAt }] : []),
      ];
      for (const s of suppressed) erase.suppress.run(s.hash, s.erasedAt);
      this.sql.operator.insertAudit.run(audit);
      return { counts, suppressed };
    });
    // Exclusive: events still waiting for the group commit are committed first, so the erasure deletes
    // them too, and the suppressions are in place before any other request runs.
    const erased = this.committer.exclusive(() => {
      const { counts, suppressed } = transaction();
      onCommitted(suppressed);
      return counts;
    });
    this.truncateWalSoon();
    return erased;
  }

  /**
   * The WAL's old frames still hold an erased person's rows after the checkpoint: the file is emptied a
   * second after the last of erasures in a row (at most 5 s after the first), here, between groups (a
   * TRUNCATE checkpoint takes the write lock; on the writer thread it made this connection's transactions
   * fail). Not sooner: it copies, on this thread, whatever the writer thread's checkpoint has not copied
   * yet, and an erasure that came meanwhile waited for it (399 ms, once in 100 erasures in a row, when it
   * ran a second after the first). Tried again while a read or another checkpoint holds it off.
   */
  private truncateWalSoon(): void {
    this.truncateFirst ??= Date.now();
    clearTimeout(this.truncateTimer);
    this.truncateTimer = setTimeout(
      async () => {
        this.truncateTimer = this.truncateFirst = undefined; // an erasure from now on asks for a truncation of its own
        const { busy } = await this.committer.exclusive(() => truncateWal(this.db)).catch(() => ({ busy: 1 }));
        if (busy && this.db.open) this.truncateWalSoon();
      },
      Math.min(1000, this.truncateFirst + 5000 - Date.now()),
    ).unref();
  }

  async loadSuppressions(): Promise<Suppression[]> {
    return this.sql.subject.loadSuppressions.all() as Suppression[];
  }

  async restoreSuppressions(entries: Suppression[]): Promise<void> {
    const { suppress } = this.sql.subject.erase;
    this.db.transaction(() => {
      for (const s of entries) suppress.run(s.hash, s.erasedAt);
    })();
  }

  async *subjectIds(site: string): AsyncIterable<SubjectRef> {
    for (const r of this.sql.subject.subjectIds.iterate({ site }) as IterableIterator<Omit<SubjectRef, 'site'>>) {
      yield { site, kind: r.kind, id: r.id };
    }
  }

  async subjectErasedAt(subjectHash: string): Promise<number | null> {
    return (this.sql.subject.erasedAt.get(subjectHash) as number | undefined) ?? null;
  }

  async appendAudit(row: AuditRow): Promise<void> {
    await this.committer.exclusive(() => this.sql.operator.insertAudit.run(row));
  }

  async countDenied(action: string, at: number): Promise<void> {
    const { countDenied, insertDenied } = this.sql.operator;
    const hour = at - (at % HOUR_MS);
    await this.committer.exclusive(() => {
      if (countDenied.run(action, hour).changes === 0) insertDenied.run(hour, action);
    });
  }

  async listAudit(options: { limit: number; before?: number }): Promise<AuditRow[]> {
    return this.sql.operator.listAudit.all(options.before ?? Number.MAX_SAFE_INTEGER, options.limit) as AuditRow[];
  }

  async insertRequest(row: RequestRow): Promise<void> {
    await this.committer.exclusive(() => this.sql.operator.insertRequest.run(row));
  }

  async listRequests(options: { openOnly: boolean }): Promise<RequestRow[]> {
    const { listOpenRequests, listRequests } = this.sql.operator;
    return (options.openOnly ? listOpenRequests : listRequests).all() as RequestRow[];
  }

  async updateRequest(receiptId: string, state: string, at: number): Promise<RequestRow | null> {
    const { updateRequest, getRequest } = this.sql.operator;
    const answeredAt = ANSWERED_STATES.has(state) ? at : null;
    await this.committer.exclusive(() => updateRequest.run(state, at, answeredAt, receiptId));
    return (getRequest.get(receiptId) as RequestRow | undefined) ?? null;
  }

  async deleteExpired(cutoff: number): Promise<{ events: number; identityLinks: number }> {
    const { anyExpiredEvent, anyExpiredLink, deleteExpiredEvents, deleteExpiredLinks } = this.sql.maintenance;
    const { anyExpiredDenied, deleteExpiredDenied } = this.sql.maintenance;
    if (anyExpiredDenied.get(cutoff)) await this.committer.exclusive(() => deleteExpiredDenied.run(cutoff));
    // Usually nothing has expired: a read is enough then, and start-up takes no write lock.
    if (!anyExpiredEvent.get(cutoff) && !anyExpiredLink.get(cutoff)) return { events: 0, identityLinks: 0 };
    let events = 0;
    for (;;) {
      const n = await this.committer.exclusive(() => deleteExpiredEvents.run(cutoff).changes);
      events += n;
      if (n < RETENTION_CHUNK) break;
      // Lets ingest requests in between, so a large first purge does not stall them.
      await new Promise((resolve) => setImmediate(resolve));
    }
    const identityLinks = await this.committer.exclusive(() => deleteExpiredLinks.run(cutoff).changes);
    await this.outbox.deleteExpired(cutoff);
    return { events, identityLinks };
  }

  observeCommits(listener: (events: number) => void): void {
    this.committer.onGroup = listener;
  }

  async ping(): Promise<void> {
    assertSchemaCurrent(this.sql.maintenance.ping.get() as number | null, SQLITE_SCHEMA_VERSION);
  }

  async *streamEvents({ site, from, to, pageSize = 5000 }: EventQuery): AsyncIterable<EventRow> {
    await this.committer.exclusive(() => undefined); // every insert requested before is committed
    yield* readInPages<EventRow>(
      this.path,
      STREAM_EVENTS,
      [site, from ?? Number.MIN_SAFE_INTEGER, to ?? Number.MAX_SAFE_INTEGER],
      pageSize,
    );
  }

  async exportEvents(query: ExportQuery): Promise<ExportPage> {
    // The bound is read after every insert requested before is committed.
    return this.committer.exclusive(() => sqliteExportPage(this.db, this.path, query));
  }

  async addProcessingLimit(limit: ProcessingLimit): Promise<void> {
    await this.committer.exclusive(() => this.sql.limits.add.run(limit));
  }

  async removeProcessingLimit(site: string, subjectHash: string, right: ProcessingLimit['right']): Promise<boolean> {
    return this.committer.exclusive(() => this.sql.limits.remove.run(site, subjectHash, right).changes > 0);
  }

  async listProcessingLimits(site: string): Promise<ProcessingLimit[]> {
    return this.sql.limits.list.all(site) as ProcessingLimit[];
  }

  async listConsentDecisions(site: string): Promise<ConsentDecisionRow[]> {
    return this.sql.limits.consentDecisions.all(site) as ConsentDecisionRow[];
  }

  async countEvents(): Promise<number> {
    return this.sql.maintenance.countEvents.get() as number;
  }

  async close(): Promise<void> {
    if (!this.db.open) return;
    clearTimeout(this.truncateTimer); // closing the last connection removes the WAL file
    const writer = await this.committer.detachWriter();
    await writer?.close();
    if (this.db.open) this.db.close();
    this.lock.release();
  }
}

/** Empties the WAL file, without waiting for a reader (an export may read for minutes): busy 1 if one held it off. */
function truncateWal(db: Database.Database): { busy: number } {
  if (!db.open) return { busy: 0 };
  db.pragma('busy_timeout = 0');
  try {
    return (db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[])[0]!;
  } finally {
    db.pragma('busy_timeout = 5000');
  }
}
