import type pg from 'pg';
import type { FailureLimit } from '../rate-limit.js';

/**
 * The failure limit of several collectors on one database: one fixed window per client address,
 * counted in `failure_windows` under a keyed hash of the address (the address itself is never stored).
 */
export class PgFailureLimit implements FailureLimit {
  constructor(
    private readonly query: <R extends pg.QueryResultRow>(sql: string, params: unknown[]) => Promise<R[]>,
    private readonly hashAddress: (address: string) => string,
    private readonly maxFailures: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async retryAfter(address: string): Promise<number> {
    const rows = await this.query<{ failures: number; resetAt: number }>(
      'SELECT failures, reset_at AS "resetAt" FROM failure_windows WHERE address_hash = $1',
      [this.hashAddress(address)],
    );
    const left = (rows[0]?.resetAt ?? 0) - this.now();
    return left > 0 && rows[0]!.failures >= this.maxFailures ? Math.ceil(left / 1000) : 0;
  }

  async fail(address: string): Promise<void> {
    const now = this.now();
    // One statement, so two collectors counting the same address at once both count.
    await this.query(
      `INSERT INTO failure_windows AS w (address_hash, failures, reset_at) VALUES ($1, 1, $2::bigint + $3::bigint)
       ON CONFLICT (address_hash) DO UPDATE SET
         failures = CASE WHEN w.reset_at <= $2 THEN 1 ELSE w.failures + 1 END,
         reset_at = CASE WHEN w.reset_at <= $2 THEN $2::bigint + $3::bigint ELSE w.reset_at END`,
      [this.hashAddress(address), now, this.windowMs],
    );
  }
}
