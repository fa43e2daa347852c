import pg from 'pg';
import { type FailureLimit, FailureLimiter } from '../rate-limit.js';
import type {
  AuditRow,
  ConsentDecisionRow,
  ConsentRow,
  ErasureCounts,
  EventQuery,
  EventRow,
  IdentityLinkRow,
  ProcessingLimit,
  RequestRow,
  Store,
  SubjectRef,
  SubjectRows,
  Suppression,
} from '../store.js';
import { PgFailureLimit } from './failure-limit.js';
import { GroupCommitter } from './group-commit.js';
import { addPgLimit, listPgConsentDecisions, listPgLimits, removePgLimit, streamPgEvents } from './pg-insights.js';
import { LOCK_CLASS, type LockName, lockKey } from './locks.js';
import { APP_ROLE, migrate } from './migrations.js';
import { dropPartitionsBefore, ensurePartitions } from './partitions.js';
import {
  AUDIT_COLUMNS,
  CONSENT_COLUMNS,
  COUNT_DENIED,
  DELETE_EXPIRED_EVENTS,
  DELETE_EXPIRED_IDS,
  EVENT_COLUMNS,
  INSERT_AUDIT,
  INSERT_CONSENT,
  INSERT_EVENTS,
  LINK_COLUMNS,
  OWNED,
  OWNED_LINKS,
  REQUEST_COLUMNS,
  RETENTION_CHUNK,
  UPSERT_LINK,
} from './sql.js';

type Hasher = (site: string, kind: SubjectRef['kind'], id: string) => string;

export interface PgStoreOptions {
  /** `postgres://user:password@host:5432/db`; TLS by the URL (`sslmode=verify-full&sslrootcert=ca.pem`) or `ssl`. */
  url: string;
  /** Schema that holds the tables (made if missing). @defaultValue 'public' */
  schema?: string;
  /**
   * The collector's keyed hash of subject ids. With it, ingest and consent check the suppressions in
   * the database, inside their transaction: an erasure made by any collector holds for all at once.
   */
  hashOf?: Hasher;
  /** Connections in the pool (per collector process). @defaultValue 10 */
  poolMax?: number;
  /** Longest a statement may run before PostgreSQL cancels it. @defaultValue 15000 */
  statementTimeoutMs?: number;
  /** Longest a request waits for a connection (pool exhausted, database away) before it fails (503). @defaultValue 5000 */
  connectTimeoutMs?: number;
  /** Shown in pg_stat_activity. @defaultValue 'tillit-collector' */
  applicationName?: string;
  /** TLS options passed to node's tls.connect (a managed database's CA, client certificates). */
  ssl?: pg.ConnectionConfig['ssl'];
}

// bigint (count, bigserial, ms columns) as a JS number: every value Tillit keeps is below 2^53.
const INT8_OID = 20;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID ? Number : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};
const ANSWERED_STATES = new Set(['answered', 'refused', 'withdrawn']);
const HOUR_MS = 60 * 60 * 1000;

/**
 * PostgreSQL store, for several collector processes on one database. Events of concurrent requests are
 * committed together (group commit) as one multi-row INSERT ... ON CONFLICT DO NOTHING; an erasure takes
 * a database-wide advisory lock that every ingest and consent transaction holds shared, so it waits for
 * the groups in flight on every collector and the next ones see its suppressions.
 */
export class PgStore implements Store {
  readonly schema: string;
  private connections: pg.Pool | undefined;
  private readonly poolMax: number;
  private readonly config: pg.PoolConfig;
  private readonly hashOf: Hasher | undefined;
  private readonly events = new GroupCommitter<EventRow, boolean>((rows) => this.commitEvents(rows));
  private ready: Promise<void> | undefined;
  private partitionsUntil = 0;
  private closing: Promise<void> | undefined;
  private migrated = { from: 0, to: 0 };

  constructor(options: PgStoreOptions) {
    this.schema = options.schema ?? 'public';
    this.hashOf = options.hashOf;
    this.config = {
      connectionString: options.url,
      ...(options.ssl !== undefined ? { ssl: options.ssl } : {}),
      application_name: options.applicationName ?? 'tillit-collector',
      options: `-c search_path=${this.schema}`,
      statement_timeout: options.statementTimeoutMs ?? 15_000,
      idle_in_transaction_session_timeout: 60_000,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
      types,
    };
    this.poolMax = options.poolMax ?? 10;
  }

  /** The pool of the collector's connections (made by start(), once the schema is known). */
  get pool(): pg.Pool {
    if (!this.connections) throw new Error('[tillit-collector] PgStore: call start() first');
    return this.connections;
  }

  /**
   * Migrates (under an advisory lock) and makes the partitions, once; again on the next call if it
   * failed (database away at start). A schema newer than this code rejects every call.
   */
  start(): Promise<void> {
    this.ready ??= this.owner(async (client) => {
      this.migrated = await migrate(client, this.schema);
      const role = await client.query<{ ok: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1 AND pg_has_role(current_user, oid, 'MEMBER'))
           AND has_table_privilege($1, 'event_ids', 'INSERT') AS ok`,
        [APP_ROLE],
      );
      await this.maintainPartitions(client, Date.now());
      // Every ordinary statement runs as the role without UPDATE/DELETE on the consent log, when it could be made.
      const options = role.rows[0]!.ok ? `${this.config.options} -c role=${APP_ROLE}` : this.config.options;
      this.connections ??= new pg.Pool({ ...this.config, options, max: this.poolMax });
      // A connection that dies while idle (database restarted, pg_terminate_backend) is dropped by the pool;
      // without a listener the error would end the process.
      this.connections.on('error', (error) => console.error(`[tillit-collector] PostgreSQL connection lost: ${error.message}`));
    }).catch((error: unknown) => {
      this.ready = undefined;
      throw error;
    });
    return this.ready;
  }

  /** Starts (migrating); the schema versions before and after this process's migration. */
  async migrate(): Promise<{ from: number; to: number }> {
    await this.start();
    return this.migrated;
  }

  /** A connection as the login user (not the app role), for migrations and partitions (DDL needs the owner). */
  private async owner<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
    const client = new pg.Client(this.config);
    client.on('error', () => {});
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end().catch(() => {});
    }
  }

  private async maintainPartitions(client: pg.ClientBase, now: number): Promise<void> {
    if (now < this.partitionsUntil) return;
    await ensurePartitions(client, now);
    this.partitionsUntil = now + HOUR_MS;
  }

  /** Runs `fn` in a transaction on a pooled connection; a connection that failed is not reused. */
  private async tx<T>(fn: (client: pg.PoolClient) => Promise<T>, begin = 'BEGIN'): Promise<T> {
    await this.start();
    const client = await this.pool.connect();
    let broken: Error | undefined;
    // A connection killed between two statements emits 'error' on the client, which the pool listens for
    // only while it is idle: unheard, it would end the process. The statement after it fails instead.
    const lost = (error: Error) => {
      broken = error;
    };
    client.on('error', lost);
    try {
      await client.query(begin);
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: Error) => {
        broken = rollbackError;
      });
      throw error;
    } finally {
      client.off('error', lost);
      client.release(broken);
    }
  }

  private lock(client: pg.ClientBase, name: LockName, shared: boolean): Promise<unknown> {
    const fn = shared ? 'pg_advisory_xact_lock_shared' : 'pg_advisory_xact_lock';
    return client.query(`SELECT ${fn}($1, $2)`, [LOCK_CLASS, lockKey(this.schema, name)]);
  }

  private async query<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<R[]> {
    await this.start();
    return (await this.pool.query<R>(sql, params)).rows;
  }

  insertEvents(rows: EventRow[]): Promise<boolean[]> {
    return this.events.add(rows);
  }

  private async commitEvents(rows: EventRow[]): Promise<boolean[]> {
    const columns: unknown[][] = Array.from({ length: 12 }, () => new Array(rows.length));
    const hashes = new Map<string, string>();
    const hashed = (site: string, kind: SubjectRef['kind'], id: string | null) => {
      if (!this.hashOf || !id) return null;
      const key = `${kind[0]}${site}\0${id}`;
      let h = hashes.get(key);
      if (h === undefined) {
        h = this.hashOf(site, kind, id);
        hashes.set(key, h);
      }
      return h;
    };
    for (const [i, r] of rows.entries()) {
      const values: unknown[] = [
        r.messageId,
        r.site,
        r.type,
        r.event,
        r.anonymousId,
        r.userId,
        r.timestamp,
        r.receivedAt,
        r.payload,
      ];
      values.push(hashed(r.site, 'anonymous', r.anonymousId), hashed(r.site, 'user', r.userId), r.linkProven === true);
      for (let c = 0; c < 12; c++) columns[c]![i] = values[c];
    }
    const stored = await this.tx(async (client) => {
      await this.lock(client, 'erasure', true);
      return (await client.query<{ message_id: string }>(INSERT_EVENTS, columns)).rows;
    });
    const fresh = new Set(stored.map((r) => r.message_id));
    // A messageId twice in one group: the first is the one stored.
    return rows.map((r) => fresh.delete(r.messageId));
  }

  appendConsent(row: ConsentRow, secretHash: string | null, options: { trusted?: boolean } = {}): Promise<string> {
    return this.tx(async (client) => {
      await this.lock(client, 'erasure', true);
      // Erased by another collector since this one loaded its suppressions: kept under the hash only.
      const hash = this.hashOf && row.anonymousId ? this.hashOf(row.site, 'anonymous', row.anonymousId) : null;
      if (hash && (await client.query('SELECT 1 FROM suppressions WHERE hash = $1', [hash])).rowCount) {
        return this.insertConsent(client, row, hash);
      }
      const { anonymousId, userId, site, receivedAt } = row;
      if (secretHash && anonymousId) {
        await client.query(
          'INSERT INTO subjects (anonymous_id, site, secret_hash, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
          [anonymousId, site, secretHash, receivedAt],
        );
      }
      const proven = options.trusted === true || (await this.provesUser(client, row, secretHash));
      const receipt = await this.insertConsent(client, { ...row, userId: proven ? userId : null }, null);
      if (receipt !== row.receiptId) return receipt;
      if (anonymousId && userId) await client.query(UPSERT_LINK, [site, anonymousId, userId, receivedAt, proven]);
      return row.receiptId;
    });
  }

  /** Whether a record from the public write key may claim its user: by the anonymous id's secret, or a proven link. */
  private async provesUser(client: pg.ClientBase, row: ConsentRow, secretHash: string | null): Promise<boolean> {
    if (!row.anonymousId || !row.userId) return false;
    const bound = await client.query('SELECT 1 FROM subjects WHERE anonymous_id = $1 AND site = $2 AND secret_hash = $3', [
      row.anonymousId,
      row.site,
      secretHash,
    ]);
    if (secretHash && bound.rowCount) return true;
    const link = await client.query(
      'SELECT 1 FROM identity_links WHERE site = $1 AND anonymous_id = $2 AND user_id = $3 AND proven',
      [row.site, row.anonymousId, row.userId],
    );
    return (link.rowCount ?? 0) > 0;
  }

  async linkIdentity(link: { site: string; anonymousId: string; userId: string; at: number }): Promise<void> {
    await this.tx(async (client) => {
      await this.lock(client, 'erasure', true);
      await client.query(UPSERT_LINK, [link.site, link.anonymousId, link.userId, link.at, true]);
    });
  }

  appendPseudonymousConsent(row: ConsentRow, subjectHash: string): Promise<string> {
    return this.tx((client) => this.insertConsent(client, row, subjectHash));
  }

  /** Inserts the record (without ids when `subjectHash` is given); the stored receipt when its recordId was seen. */
  private async insertConsent(client: pg.ClientBase, row: ConsentRow, subjectHash: string | null): Promise<string> {
    const ids = subjectHash ? [null, null] : [row.anonymousId, row.userId];
    const url = subjectHash ? null : row.url;
    const inserted = await client.query(INSERT_CONSENT, [
      row.receiptId,
      row.recordId,
      row.site,
      ...ids,
      subjectHash,
      row.purposes,
      row.policyVersion,
      row.source,
      row.textHash,
      row.decidedAt,
      row.receivedAt,
      row.locale,
      url,
    ]);
    if (inserted.rowCount) return row.receiptId;
    const stored = await client.query<{ r: string }>(
      'SELECT receipt_id AS r FROM consent_records WHERE site = $1 AND record_id = $2',
      [row.site, row.recordId],
    );
    return stored.rows[0]!.r;
  }

  async findSubject(anonymousId: string): Promise<{ site: string; secretHash: string } | null> {
    const rows = await this.query<{ site: string; secretHash: string }>(
      'SELECT site, secret_hash AS "secretHash" FROM subjects WHERE anonymous_id = $1',
      [anonymousId],
    );
    return rows[0] ?? null;
  }

  /** $1..$3 of OWNED: the site, the subject's anonymous ids (for a user, each one with a proven link), the user id. */
  private async ownedParams(client: pg.ClientBase, ref: SubjectRef): Promise<[string, string[], string | null]> {
    if (ref.kind === 'anonymous') return [ref.site, [ref.id], null];
    const linked = await client.query<{ a: string }>(
      'SELECT anonymous_id AS a FROM identity_links WHERE site = $1 AND user_id = $2 AND proven',
      [ref.site, ref.id],
    );
    return [ref.site, linked.rows.map((r) => r.a), ref.id];
  }

  async readSubject(ref: SubjectRef, subjectHash: string): Promise<SubjectRows> {
    // After this process's inserts requested before it, as erasure; one snapshot for every table.
    await this.events.drain();
    return this.tx(async (client) => {
      const p = await this.ownedParams(client, ref);
      const all = async <T extends pg.QueryResultRow>(sql: string, params: unknown[]) =>
        (await client.query<T>(sql, params)).rows;
      return {
        subjects: await all<{ anonymousId: string; createdAt: number }>(
          `SELECT anonymous_id AS "anonymousId", created_at AS "createdAt" FROM subjects
           WHERE site = $1 AND anonymous_id = ANY ($2::text[]) ORDER BY created_at`,
          [p[0], p[1]],
        ),
        events: await all<EventRow>(`SELECT ${EVENT_COLUMNS} FROM events WHERE ${OWNED} ORDER BY timestamp, seq`, p),
        consent: await all<ConsentRow>(`SELECT ${CONSENT_COLUMNS} FROM consent_records WHERE ${OWNED} ORDER BY id`, p),
        links: await all<IdentityLinkRow>(`SELECT ${LINK_COLUMNS} FROM identity_links WHERE ${OWNED_LINKS}`, p),
        audit: await all<AuditRow>(`SELECT ${AUDIT_COLUMNS} FROM audit_log WHERE subject_hash = $1 ORDER BY id`, [subjectHash]),
        requests: await all<RequestRow>(
          `SELECT ${REQUEST_COLUMNS} FROM dsr_requests WHERE subject_hash = $1 ORDER BY received_at`,
          [subjectHash],
        ),
      };
    }, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  }

  async eraseSubject(
    ref: SubjectRef,
    subjectHash: string,
    hashOf: (kind: SubjectRef['kind'], id: string) => string,
    audit: AuditRow,
    onCommitted: (suppressed: Suppression[]) => void,
  ): Promise<ErasureCounts> {
    await this.events.drain();
    let suppressed: Suppression[] = [];
    const counts = await this.tx(async (client) => {
      // Waits for every ingest and consent transaction in flight on any collector; later ones wait for
      // this one, and their statements then see its suppressions.
      await this.lock(client, 'erasure', false);
      const p = await this.ownedParams(client, ref);
      const count = async (sql: string, params: unknown[]) => Number((await client.query<{ n: number }>(sql, params)).rows[0]!.n);
      const result: ErasureCounts = {
        events: await count(
          `WITH gone AS (DELETE FROM events WHERE ${OWNED} RETURNING message_id),
           ids AS (DELETE FROM event_ids WHERE message_id IN (SELECT message_id FROM gone))
           SELECT count(*) AS n FROM gone`,
          p,
        ),
        // Every link naming the subject goes, claimed ones too: they carry its id.
        identityLinks:
          (ref.kind === 'user'
            ? await client.query('DELETE FROM identity_links WHERE site = $1 AND user_id = $2', [p[0], p[2]])
            : await client.query('DELETE FROM identity_links WHERE site = $1 AND anonymous_id = ANY ($2::text[])', [p[0], p[1]])
          ).rowCount ?? 0,
        subjects: (await client.query('DELETE FROM subjects WHERE site = $1 AND anonymous_id = ANY ($2::text[])', [p[0], p[1]]))
          .rowCount!,
        consentRecords: await count('SELECT tillit_pseudonymise_consent($1, $2, $3, $4) AS n', [...p, subjectHash]),
      };
      suppressed = [
        ...p[1].map((id) => ({ hash: hashOf('anonymous', id), erasedAt: audit.at })),
        ...(ref.kind === 'user' ? [{ hash: hashOf('user', ref.id), erasedAt: audit.at }] : []),
      ];
      await client.query(
        `INSERT INTO suppressions (hash, erased_at) SELECT * FROM unnest($1::text[], $2::bigint[])
         ON CONFLICT (hash) DO UPDATE SET erased_at = excluded.erased_at`,
        [suppressed.map((s) => s.hash), suppressed.map((s) => s.erasedAt)],
      );
      await this.insertAudit(client, audit);
      return result;
    });
    onCommitted(suppressed);
    return counts;
  }

  private insertAudit(client: pg.ClientBase | pg.Pool, row: AuditRow): Promise<unknown> {
    return client.query(INSERT_AUDIT, [row.at, row.site, row.action, row.subjectHash, row.via, row.outcome, row.receiptId]);
  }

  loadSuppressions(): Promise<Suppression[]> {
    return this.query<Suppression>('SELECT hash, erased_at AS "erasedAt" FROM suppressions');
  }

  async subjectErasedAt(subjectHash: string): Promise<number | null> {
    const rows = await this.query<{ erasedAt: number }>('SELECT erased_at AS "erasedAt" FROM suppressions WHERE hash = $1', [
      subjectHash,
    ]);
    return rows[0]?.erasedAt ?? null;
  }

  async appendAudit(row: AuditRow): Promise<void> {
    await this.start();
    await this.insertAudit(this.pool, row);
  }

  async countDenied(action: string, at: number): Promise<void> {
    await this.query(COUNT_DENIED, [action, at - (at % HOUR_MS)]);
  }

  listAudit(options: { limit: number; before?: number }): Promise<AuditRow[]> {
    return this.query<AuditRow>(`SELECT ${AUDIT_COLUMNS} FROM audit_log WHERE id < $1 ORDER BY id DESC LIMIT $2`, [
      options.before ?? Number.MAX_SAFE_INTEGER,
      options.limit,
    ]);
  }

  async insertRequest(row: RequestRow): Promise<void> {
    await this.query(
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
    return this.query<RequestRow>(`SELECT ${REQUEST_COLUMNS} FROM dsr_requests ${where} ORDER BY due_at`);
  }

  async updateRequest(receiptId: string, state: string, at: number): Promise<RequestRow | null> {
    const rows = await this.query<RequestRow>(
      `UPDATE dsr_requests SET state = $1, updated_at = $2, answered_at = $3 WHERE receipt_id = $4 RETURNING ${REQUEST_COLUMNS}`,
      [state, at, ANSWERED_STATES.has(state) ? at : null, receiptId],
    );
    return rows[0] ?? null;
  }

  /**
   * Drops the month partitions that ended before `cutoff`, deletes the older rows left in the others in
   * chunks, and makes the partitions ahead. One collector at a time: the others skip (advisory lock).
   */
  async deleteExpired(cutoff: number): Promise<{ events: number; identityLinks: number }> {
    await this.start();
    return this.owner(async (client) => {
      const key = [LOCK_CLASS, lockKey(this.schema, 'retention')];
      const locked = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', key);
      if (!locked.rows[0]!.ok) return { events: 0, identityLinks: 0 };
      await this.maintainPartitions(client, Date.now());
      let events = await dropPartitionsBefore(client, cutoff);
      const chunked = async (sql: string) => {
        let total = 0;
        for (let n = RETENTION_CHUNK; n === RETENTION_CHUNK; total += n) n = (await client.query(sql, [cutoff])).rowCount ?? 0;
        return total;
      };
      events += await chunked(DELETE_EXPIRED_EVENTS);
      await chunked(DELETE_EXPIRED_IDS);
      const links = await client.query('DELETE FROM identity_links WHERE last_seen_at < $1', [cutoff]);
      await client.query(`DELETE FROM audit_log WHERE subject_hash IS NULL AND outcome = 'denied' AND at < $1`, [cutoff]);
      await client.query('DELETE FROM failure_windows WHERE reset_at < $1', [Date.now()]);
      return { events, identityLinks: links.rowCount ?? 0 };
    });
  }

  /** Counted in the database by every collector together; only with `hashOf` (keys are stored hashed). */
  failureLimit(name: string, maxFailures: number, windowMs: number): FailureLimit {
    const hashOf = this.hashOf;
    if (!hashOf) return new FailureLimiter(maxFailures, windowMs);
    // No configured site is named "\0limit:…", so a key's hash never equals a subject's.
    const hashAddress = (key: string) => hashOf(`\0limit:${name}`, 'anonymous', key);
    return new PgFailureLimit((sql, params) => this.query(sql, params), hashAddress, maxFailures, windowMs);
  }

  async ping(): Promise<void> {
    await this.query('SELECT 1');
  }

  async *streamEvents(query: EventQuery): AsyncIterable<EventRow> {
    await this.start();
    await this.events.drain();
    yield* streamPgEvents(this.pool, query);
  }

  async addProcessingLimit(limit: ProcessingLimit): Promise<void> {
    await this.start();
    await addPgLimit(this.pool, limit);
  }

  async removeProcessingLimit(site: string, hash: string, right: ProcessingLimit['right']): Promise<boolean> {
    await this.start();
    return removePgLimit(this.pool, site, hash, right);
  }

  async listProcessingLimits(site: string): Promise<ProcessingLimit[]> {
    await this.start();
    return listPgLimits(this.pool, site);
  }

  async listConsentDecisions(site: string): Promise<ConsentDecisionRow[]> {
    await this.start();
    return listPgConsentDecisions(this.pool, site);
  }

  async countEvents(): Promise<number> {
    return (await this.query<{ n: number }>('SELECT count(*) AS n FROM events'))[0]!.n;
  }

  /** Commits what is pending, then closes the pool; again is a no-op. */
  close(): Promise<void> {
    this.closing ??= this.events.drain().then(() => this.connections?.end());
    return this.closing;
  }
}
