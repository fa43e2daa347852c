/**
 * Counts failures per key (an address bucket, a subject id) in a fixed window; past the limit every
 * request with that key is refused until the window ends, so a correct guess after many wrong ones gains
 * nothing. A store shared by several collectors provides its own (`Store.failureLimit`), so they count
 * together.
 */
export interface FailureLimit {
  /** Seconds until this key may try again, or 0 when it may now. */
  retryAfter(key: string): number | Promise<number>;
  fail(key: string): void | Promise<void>;
}

/** The limit of one process: keys are held in memory only, never logged or stored. */
export class FailureLimiter implements FailureLimit {
  private readonly windows = new Map<string, { failures: number; resetAt: number }>();

  constructor(
    private readonly maxFailures: number,
    private readonly windowMs: number,
    /** Most keys held: under a spray of keys the oldest windows go first, so memory stays bounded. */
    private readonly maxKeys = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Keys currently held. */
  get size(): number {
    return this.windows.size;
  }

  /** Seconds until this key may try again, or 0 when it may now. */
  retryAfter(key: string): number {
    const entry = this.windows.get(key);
    if (!entry) return 0;
    const left = entry.resetAt - this.now();
    if (left <= 0) {
      this.windows.delete(key);
      return 0;
    }
    return entry.failures >= this.maxFailures ? Math.ceil(left / 1000) : 0;
  }

  fail(key: string): void {
    const now = this.now();
    let entry = this.windows.get(key);
    if (!entry || entry.resetAt <= now) {
      this.windows.delete(key);
      this.makeRoom(now);
      entry = { failures: 0, resetAt: now + this.windowMs };
      // Insertion order is window-start order: the first key is the oldest window.
      this.windows.set(key, entry);
    }
    entry.failures++;
  }

  private makeRoom(now: number): void {
    // Every window is as long, so the oldest windows (first in the map) also expire first.
    for (const [key, entry] of this.windows) {
      if (entry.resetAt > now && this.windows.size < this.maxKeys) break;
      this.windows.delete(key);
    }
  }
}

/**
 * A limit shared through the store that, while the store fails, counts in this process's memory
 * instead: still a limit, and the operator's /metrics and readiness calls keep answering during an
 * outage rather than failing on the limiter's query.
 */
export class StoreLimitWithFallback implements FailureLimit {
  constructor(
    private readonly shared: FailureLimit,
    private readonly local: FailureLimit,
  ) {}

  async retryAfter(key: string): Promise<number> {
    try {
      return await this.shared.retryAfter(key);
    } catch {
      return this.local.retryAfter(key);
    }
  }

  async fail(key: string): Promise<void> {
    try {
      await this.shared.fail(key);
    } catch {
      await this.local.fail(key);
    }
  }
}
