/**
 * Failed data-subject requests per client IP in a fixed window; past the limit every request of that IP
 * is refused until the window ends, so a correct guess after many wrong ones gains nothing. A store
 * shared by several collectors provides its own (`Store.failureLimit`), so they count together.
 */
export interface FailureLimit {
  /** Seconds until this IP may try again, or 0 when it may now. */
  retryAfter(ip: string): number | Promise<number>;
  fail(ip: string): void | Promise<void>;
}

/** The limit of one process: IPs are held in memory only, never logged or stored. */
export class FailureLimiter implements FailureLimit {
  private readonly windows = new Map<string, { failures: number; resetAt: number }>();

  constructor(
    private readonly maxFailures: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds until this IP may try again, or 0 when it may now. */
  retryAfter(ip: string): number {
    const entry = this.windows.get(ip);
    if (!entry) return 0;
    const left = entry.resetAt - this.now();
    if (left <= 0) {
      this.windows.delete(ip);
      return 0;
    }
    return entry.failures >= this.maxFailures ? Math.ceil(left / 1000) : 0;
  }

  fail(ip: string): void {
    const now = this.now();
    let entry = this.windows.get(ip);
    if (!entry || entry.resetAt <= now) {
      // Bounded memory under a spray of addresses: drop expired windows first.
      if (this.windows.size >= 50_000) for (const [k, v] of this.windows) if (v.resetAt <= now) this.windows.delete(k);
      entry = { failures: 0, resetAt: now + this.windowMs };
      this.windows.set(ip, entry);
    }
    entry.failures++;
  }
}
