import pg from 'pg';
import { redact } from '../log-safe.js';
import { LOCK_CLASS, type LockName, lockKey } from './locks.js';
import { APP_ROLE, migrate } from './migrations.js';
import { ensurePartitions } from './partitions.js';

export interface PgConnectionOptions {
  /** `postgres://user:password@host:5432/db`; TLS by the URL (`sslmode=verify-full&sslrootcert=ca.pem`) or `ssl`. */
  url: string;
  /** Schema that holds the tables (made if missing). @defaultValue 'public' */
  schema?: string;
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
export const HOUR_MS = 60 * 60 * 1000;

/**
 * The collector's connections to PostgreSQL: the schema migrated once, a pool of connections as the
 * app role, transactions, advisory locks, and owner connections for DDL.
 */
export class PgDatabase {
  readonly schema: string;
  private connections: pg.Pool | undefined;
  private readonly poolMax: number;
  private readonly config: pg.PoolConfig;
  private ready: Promise<void> | undefined;
  private partitionsUntil = 0;
  private migrated = { from: 0, to: 0 };

  constructor(options: PgConnectionOptions) {
    this.schema = options.schema ?? 'public';
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
      this.connections.on('error', (error) =>
        console.error(`[tillit-collector] PostgreSQL connection lost: ${redact(error.message)}`),
      );
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
  async owner<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
    const client = new pg.Client(this.config);
    client.on('error', () => {});
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end().catch(() => {});
    }
  }

  /** Makes the partitions ahead, at most once an hour per process. */
  async maintainPartitions(client: pg.ClientBase, now: number): Promise<void> {
    if (now < this.partitionsUntil) return;
    await ensurePartitions(client, now);
    this.partitionsUntil = now + HOUR_MS;
  }

  /** Runs `fn` in a transaction on a pooled connection; a connection that failed is not reused. */
  async tx<T>(fn: (client: pg.PoolClient) => Promise<T>, begin = 'BEGIN'): Promise<T> {
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

  /** Takes the advisory lock `name` of this schema until the transaction ends. */
  lock(client: pg.ClientBase, name: LockName, shared: boolean): Promise<unknown> {
    const fn = shared ? 'pg_advisory_xact_lock_shared' : 'pg_advisory_xact_lock';
    return client.query(`SELECT ${fn}($1, $2)`, [LOCK_CLASS, lockKey(this.schema, name)]);
  }

  /** Tries the session advisory lock `name` of this schema (released when the connection ends). */
  async tryLock(client: pg.ClientBase, name: LockName): Promise<boolean> {
    const locked = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', [
      LOCK_CLASS,
      lockKey(this.schema, name),
    ]);
    return locked.rows[0]!.ok;
  }

  async query<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<R[]> {
    await this.start();
    return (await this.pool.query<R>(sql, params)).rows;
  }

  /** Ends the pool (once). */
  async end(): Promise<void> {
    await this.connections?.end();
  }
}
