import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it, vi } from 'vitest';
import type { WriterThread } from './sqlite-event-writer.js';
import { SqliteStore } from './sqlite-store.js';
import { eventRow } from './store-contract.js';
import { anon, auditRow, hashOf } from './store-contract-rows.js';

// SQLite-specific behaviour; what every store must do is in store-contract.ts.

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function newStore(options: { writerThread?: boolean } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'tillit-store-'));
  dirs.push(dataDir);
  return new SqliteStore({ dataDir, durability: 'normal', ...options });
}

/** Rows changed through the main-thread connection: total_changes() counts only its own connection's writes. */
const changesHere = (store: SqliteStore) => store.db.prepare('SELECT total_changes()').pluck().get() as number;

it('commits events on the writer thread’s connection, not on the calling thread’s', async () => {
  const store = newStore();
  const before = changesHere(store);
  expect(await store.insertEvents([eventRow(), eventRow()])).toEqual([true, true]);
  expect(await store.countEvents()).toBe(2);
  expect(changesHere(store) - before).toBe(0);
  await store.close();
});

it('commits on the calling thread when asked to', async () => {
  const store = newStore({ writerThread: false });
  const before = changesHere(store);
  expect(await store.insertEvents([eventRow(), eventRow()])).toEqual([true, true]);
  expect(changesHere(store) - before).toBe(2);
  await store.close();
  expect(store.db.open).toBe(false);
});

it('keeps storing on the main thread when the writer thread stops', async () => {
  const store = newStore();
  const error = vi.spyOn(console, 'error').mockImplementation(() => {});
  expect(await store.insertEvents([eventRow()])).toEqual([true]);
  const writer = (store as unknown as { committer: { writer: WriterThread } }).committer.writer;
  expect(store.db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
  await writer.terminate();
  expect(error).toHaveBeenCalledWith(expect.stringContaining('writer thread stopped'));
  // Nobody checkpoints for this connection any more: SQLite's automatic checkpoint is back.
  expect(store.db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
  const before = changesHere(store);
  expect(await store.insertEvents([eventRow(), eventRow()])).toEqual([true, true]);
  expect(changesHere(store) - before).toBe(2);
  expect(await store.countEvents()).toBe(3);
  await store.close();
  error.mockRestore();
});

it('leaves no trace of erased events in the database file: their bytes are overwritten, not only unlinked', async () => {
  const store = newStore({ writerThread: false });
  const payload = (who: string) => JSON.stringify({ properties: { email: `${who}@example.test` } });
  // Interleaved, as a site's traffic is: the erased rows share their pages with rows that stay.
  for (let i = 0; i < 50; i++)
    await store.insertEvents([
      eventRow({ anonymousId: 'erased', payload: payload('erased-person') }),
      eventRow({ anonymousId: 'kept', payload: payload('kept-person') }),
    ]);
  await store.eraseSubject(anon('erased'), 'h', hashOf, auditRow(), () => {});
  const file = store.path;
  await store.close(); // the last connection checkpoints the WAL into the file and removes it
  const bytes = readFileSync(file).toString('latin1');
  expect(bytes).toContain('kept-person@example.test');
  expect(bytes).not.toContain('erased-person@example.test');
});

it.each([
  ['on the writer thread', true],
  ['on this thread', false],
])(
  'an erasure reaches the database file and leaves nothing in the WAL while the store is open (checkpoint %s)',
  async (_, writerThread) => {
    const store = newStore({ writerThread });
    const payload = (who: string) => JSON.stringify({ properties: { email: `${who}@example.test` } });
    for (let i = 0; i < 20; i++)
      await store.insertEvents([
        eventRow({ anonymousId: 'erased', payload: payload('erased-person') }),
        eventRow({ anonymousId: 'kept', payload: payload('kept-person') }),
      ]);
    await store.eraseSubject(anon('erased'), 'h', hashOf, auditRow(), () => {});
    // Nothing here reaches SQLite's automatic checkpoint (1,000 pages): only the one after the erasure.
    const text = (path: string) => (existsSync(path) ? readFileSync(path).toString('latin1') : '');
    await vi.waitFor(
      () => {
        expect(text(store.path)).toContain('kept-person@example.test');
        expect(text(store.path)).not.toContain('erased-person@example.test');
        expect(text(`${store.path}-wal`)).not.toContain('erased-person@example.test');
      },
      { timeout: 5_000, interval: 20 },
    );
    await store.close();
  },
);
