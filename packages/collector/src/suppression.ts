import type { EventRow, Suppression } from './store.js';

type Hasher = (site: string, kind: 'anonymous' | 'user', id: string) => string;

/**
 * Erased subjects, by keyed hash, in memory (loaded at start): ingest drops late events for them.
 * An anonymous id is suppressed for good (the SDK makes a new one after erasure); a user id only for
 * events made before its erasure, so a user who keeps their account and consents again is counted again.
 * With nothing suppressed the check costs one size test per batch.
 */
export class SuppressionList {
  private readonly erasedAt = new Map<string, number>();

  constructor(private readonly hash: Hasher) {}

  add(entries: Iterable<Suppression>): void {
    for (const { hash, erasedAt } of entries) this.erasedAt.set(hash, erasedAt);
  }

  isAnonymousSuppressed(site: string, anonymousId: string): boolean {
    return this.erasedAt.size > 0 && this.erasedAt.has(this.hash(site, 'anonymous', anonymousId));
  }

  /** Removes rows of erased subjects from `rows` (in place) and returns how many were removed. */
  filter(rows: EventRow[]): number {
    if (this.erasedAt.size === 0) return 0;
    const before = rows.length;
    // A batch is mostly one browser's events: hash each distinct id once (an HMAC is ~1 µs).
    const seen = new Map<string, string>();
    const hashed = (site: string, kind: 'anonymous' | 'user', id: string) => {
      const key = `${kind[0]}${site}\0${id}`;
      let h = seen.get(key);
      if (h === undefined) {
        h = this.hash(site, kind, id);
        seen.set(key, h);
      }
      return h;
    };
    let kept = 0;
    for (const row of rows) {
      if (row.anonymousId && this.erasedAt.has(hashed(row.site, 'anonymous', row.anonymousId))) continue;
      if (row.userId) {
        const at = this.erasedAt.get(hashed(row.site, 'user', row.userId));
        if (at !== undefined && row.timestamp <= at) continue;
      }
      rows[kept++] = row;
    }
    rows.length = kept;
    return before - kept;
  }
}
