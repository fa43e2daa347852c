/**
 * The erasure ledger: every erasure's suppression hashes, appended to a file outside the database as the
 * erasure commits, and re-applied at start. A database restored from a backup taken before an erasure
 * brings the erased person's rows back; the ledger does not roll back with it, so the collector erases
 * them again before it serves, and suppresses their late events. It holds keyed hashes and times only:
 * no id, nothing personal (the same hashes as the suppressions table).
 */
import { closeSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import type { Store, SubjectRef, Suppression } from './store.js';

type Hasher = (site: string, kind: SubjectRef['kind'], id: string) => string;

interface LedgerEntry {
  site: string;
  suppressions: Suppression[];
}

export class ErasureLedger {
  constructor(readonly path: string) {}

  /** Appends one erasure's suppressions, on disk (fsync) before the erasure is answered. */
  append(site: string, suppressed: Suppression[]): void {
    if (!suppressed.length) return;
    const line = `${JSON.stringify({ site, suppressions: suppressed.map((s) => [s.hash, s.erasedAt]) })}\n`;
    const fd = openSync(this.path, 'a', 0o600);
    try {
      writeSync(fd, line);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  /** Every entry; none when there is no ledger yet. A line cut short by a crash mid-append is skipped. */
  read(): LedgerEntry[] {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const entries: LedgerEntry[] = [];
    for (const line of text.split('\n')) {
      if (!line) continue;
      try {
        const { site, suppressions } = JSON.parse(line) as { site: string; suppressions: [string, number][] };
        entries.push({ site, suppressions: suppressions.map(([hash, erasedAt]) => ({ hash, erasedAt })) });
      } catch {
        // Torn last line: that erasure was not answered (the append syncs before the answer).
      }
    }
    return entries;
  }
}

/** The ledger's suppressions the store does not have, by site. */
async function missingSuppressions(store: Store, ledger: ErasureLedger): Promise<Map<string, Map<string, number>>> {
  const missing = new Map<string, Map<string, number>>();
  const entries = ledger.read();
  if (!entries.length) return missing;
  const known = new Set((await store.loadSuppressions()).map((s) => s.hash));
  for (const { site, suppressions } of entries) {
    for (const { hash, erasedAt } of suppressions) {
      if (known.has(hash)) continue;
      if (!missing.has(site)) missing.set(site, new Map());
      missing.get(site)!.set(hash, erasedAt);
    }
  }
  return missing;
}

/**
 * Re-applies the ledger's erasures the store lost (a restored backup): erases every subject whose keyed
 * hash the ledger holds and the suppressions table does not, then puts the suppressions back as recorded.
 * Nothing to do, and one read of the suppressions, when the database has them all.
 */
export async function reapplyErasures(
  store: Store,
  ledger: ErasureLedger,
  hashOf: Hasher,
): Promise<{ suppressions: number; subjects: number }> {
  const missing = await missingSuppressions(store, ledger);
  let suppressions = 0;
  let subjects = 0;
  for (const [site, hashes] of missing) {
    const found: SubjectRef[] = [];
    for await (const ref of store.subjectIds(site)) if (hashes.has(hashOf(site, ref.kind, ref.id))) found.push(ref);
    for (const ref of found) {
      const subjectHash = hashOf(site, ref.kind, ref.id);
      const audit = { at: Date.now(), site, action: 'erase', subjectHash, via: 'ledger', outcome: 'ok', receiptId: null };
      await store.eraseSubject(
        ref,
        subjectHash,
        (kind, id) => hashOf(site, kind, id),
        audit,
        () => {},
      );
    }
    await store.restoreSuppressions([...hashes].map(([hash, erasedAt]) => ({ hash, erasedAt })));
    suppressions += hashes.size;
    subjects += found.length;
  }
  return { suppressions, subjects };
}
