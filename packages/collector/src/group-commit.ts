import type { EventRow } from './store.js';
import { redact } from './log-safe.js';
import type { WriterThread } from './sqlite-event-writer.js';

interface PendingInsert {
  rows: EventRow[];
  resolve: (inserted: boolean[]) => void;
  reject: (error: Error) => void;
}

/** Commits rows on the calling thread, synchronously: one flag per row (1 inserted, 0 duplicate). */
export type CommitHere = (rows: EventRow[]) => Uint8Array;

/**
 * Group commit: the inserts of concurrent requests are committed together, and each request is
 * answered only after its rows are committed. With a writer thread, the rows of each turn of the event
 * loop are posted to it at once, and it commits in one transaction every group that reached it while
 * it committed the last: it never waits for this thread to gather and post the next one, and
 * transactions grow with the load.
 *
 * `exclusive(fn)` runs other work on the calling thread's connection between groups: new groups wait,
 * the writer commits the groups it has, the rows waiting for it are committed here first, then `fn`
 * runs. So an erasure deletes every event accepted before it.
 */
export class GroupCommitter {
  private pending: PendingInsert[] = [];
  private scheduled = false;
  /** The groups posted to the writer and not yet answered, oldest first. */
  private sent: PendingInsert[][] = [];
  /** Exclusive sections waiting for the writer to answer every group out. */
  private waiting: (() => void)[] = [];
  private exclusives = 0;
  private writer: WriterThread | null = null;

  /** Told the size (rows) of each transaction as it is committed: the metrics' group-commit histogram. */
  onGroup: ((rows: number) => void) | undefined;

  constructor(private readonly commitHere: CommitHere) {}

  /** Hands groups to `writer` from now on. */
  useWriter(writer: WriterThread): void {
    this.writer = writer;
  }

  /**
   * The writer's answer for its oldest groups: one flag per row of the `rows` it committed in one
   * transaction, or why that transaction failed.
   */
  answered(answer: Uint8Array | Error, rows: number): void {
    if (!(answer instanceof Error)) this.onGroup?.(rows);
    for (let at = 0; at < rows && this.sent.length > 0; ) {
      const group = this.sent.shift()!;
      const size = group.reduce((n, item) => n + item.rows.length, 0);
      settle(group, answer instanceof Error ? answer : answer.subarray(at, at + size));
      at += size;
    }
    if (this.sent.length > 0) return;
    const waiting = this.waiting;
    if (waiting.length > 0) {
      this.waiting = [];
      this.exclusives += waiting.length;
      for (const wake of waiting) wake();
    } else {
      this.send();
    }
  }

  /**
   * The writer stopped. The rows of its group are not known to be committed: those requests fail (the
   * client retries, dedup makes that safe). From now on rows are committed on the calling thread.
   */
  writerLost(writer: WriterThread, error: Error): void {
    if (this.writer !== writer) return;
    console.error(
      `[tillit-collector] the SQLite writer thread stopped (${redact(error.message)}); committing on the main thread`,
    );
    this.writer = null;
    this.answered(error, Number.POSITIVE_INFINITY);
  }

  insert(rows: EventRow[]): Promise<boolean[]> {
    if (rows.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.pending.push({ rows, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // Gathers every request of this turn of the event loop into the group.
        setImmediate(() => this.send());
      }
    });
  }

  /**
   * Runs `fn` on the calling thread's connection once the writer is idle, after committing the rows
   * waiting for it: a write (or a read that must see them) ordered after every insert requested before it.
   */
  async exclusive<T>(fn: () => T): Promise<T> {
    // answered() counts a waiting section in `exclusives` as it wakes it, so no group is sent in between.
    if (this.sent.length > 0) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.exclusives++;
    try {
      this.flush();
      const result = fn();
      this.writer?.checkpoint();
      return result;
    } finally {
      if (--this.exclusives === 0) this.send();
    }
  }

  /** Commits what is pending and stops the writer; returns it so the caller can close it. */
  detachWriter(): Promise<WriterThread | null> {
    return this.exclusive(() => {
      const writer = this.writer;
      this.writer = null;
      return writer;
    });
  }

  /** Hands the pending rows to the writer as one group, unless an exclusive section waits or runs. */
  private send(): void {
    this.scheduled = false;
    if (this.waiting.length > 0 || this.exclusives > 0 || this.pending.length === 0) return;
    if (!this.writer) {
      this.flush();
      return;
    }
    const group = this.pending;
    this.pending = [];
    this.sent.push(group);
    this.writer.post(group.flatMap((item) => item.rows));
  }

  /** Commits every pending insert in one transaction on the calling thread. */
  private flush(): void {
    const group = this.pending;
    this.pending = [];
    if (group.length === 0) return;
    let flags: Uint8Array;
    const rows = group.flatMap((item) => item.rows);
    this.onGroup?.(rows.length);
    try {
      flags = this.commitHere(rows);
    } catch (error) {
      settle(group, error as Error);
      return;
    }
    settle(group, flags);
  }
}

/** Answers each request of a group with its slice of the flags, or fails them all. */
function settle(group: PendingInsert[], answer: Uint8Array | Error): void {
  if (answer instanceof Error) {
    for (const item of group) item.reject(answer);
    return;
  }
  let at = 0;
  for (const item of group) {
    const inserted = new Array<boolean>(item.rows.length);
    for (let r = 0; r < item.rows.length; r++) inserted[r] = answer[at++] === 1;
    item.resolve(inserted);
  }
}
