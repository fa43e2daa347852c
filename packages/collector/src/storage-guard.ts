/**
 * When storage fails (disk full, read-only, database gone), every route answers 503 with Retry-After,
 * so clients retry later instead of giving up on a 500; and readiness says so for a while.
 */
import { HttpError } from './http.js';
import { redact } from './log-safe.js';
import type { Store } from './store.js';

/** Seconds a client is asked to wait after a storage failure; readiness stays red as long. */
export const STORAGE_RETRY_SECONDS = 5;

/** The last storage failure, for the readiness answer. */
export class StorageHealth {
  private failure: { at: number; message: string } | null = null;

  constructor(
    private readonly now: () => number = Date.now,
    /** Told of each failure (the collector logs and counts it). */
    private readonly report: (message: string) => void = (m) => console.error(`[tillit-collector] the store failed: ${m}`),
  ) {}

  failed(error: unknown): void {
    // Redacted: a driver's message may quote the row it refused (ids, e-mail addresses).
    const message = redact(error instanceof Error ? error.message : String(error));
    this.failure = { at: this.now(), message };
    this.report(message);
  }

  /** Why the collector is not ready to store, or null. */
  recentFailure(): string | null {
    if (!this.failure || this.now() - this.failure.at >= STORAGE_RETRY_SECONDS * 1000) return null;
    return this.failure.message;
  }
}

export function storageUnavailable(): HttpError {
  return new HttpError(
    503,
    'unavailable',
    'storage is failing now; retry later',
    {},
    { 'Retry-After': String(STORAGE_RETRY_SECONDS) },
  );
}

/** The store with every failure of every method turned into 503 (and noted in `health`). */
export function guardStore(store: Store, health: StorageHealth): Store {
  const fail = (error: unknown): never => {
    health.failed(error);
    throw storageUnavailable();
  };
  return new Proxy(store, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        try {
          const result = value.apply(target, args);
          return result instanceof Promise ? result.catch(fail) : result;
        } catch (error) {
          return fail(error);
        }
      };
    },
  });
}
