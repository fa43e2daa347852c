interface Pending<T, R> {
  items: T[];
  resolve: (results: R[]) => void;
  reject: (error: Error) => void;
}

/**
 * Group commit: the items of every request that arrives in one turn of the event loop, or while the
 * previous group is being committed, are committed together, and each request is answered once its
 * own group has committed. One group in flight at a time, so groups grow with the load.
 */
export class GroupCommitter<T, R> {
  private pending: Pending<T, R>[] = [];
  private running: Promise<void> | null = null;

  /** Told the size of each group as it is committed: the metrics' group-commit histogram. */
  onGroup: ((items: number) => void) | undefined;

  constructor(private readonly commit: (items: T[]) => Promise<R[]>) {}

  add(items: T[]): Promise<R[]> {
    if (items.length === 0) return Promise.resolve([]);
    return this.enqueue(items);
  }

  /** Resolves once every item added before the call has been committed (or failed), without waiting for later ones. */
  async drain(): Promise<void> {
    if (this.running) await this.enqueue([]).catch(() => {});
  }

  private enqueue(items: T[]): Promise<R[]> {
    return new Promise((resolve, reject) => {
      this.pending.push({ items, resolve, reject });
      // Gathers every request of this turn of the event loop into the group.
      this.running ??= new Promise<void>((started) => setImmediate(started)).then(() => this.run());
    });
  }

  private async run(): Promise<void> {
    while (this.pending.length > 0) {
      const group = this.pending;
      this.pending = [];
      const items = group.flatMap((p) => p.items);
      if (items.length > 0) this.onGroup?.(items.length);
      try {
        const results = items.length > 0 ? await this.commit(items) : [];
        let at = 0;
        for (const p of group) {
          p.resolve(results.slice(at, at + p.items.length));
          at += p.items.length;
        }
      } catch (error) {
        for (const p of group) p.reject(error as Error);
      }
    }
    this.running = null;
  }
}
