import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { afterEach, expect, it, vi } from 'vitest';
import { SqliteStore } from './sqlite-store.js';
import type { EventRow } from './store.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function newStore(options: { writerThread?: boolean } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'tillit-store-'));
  dirs.push(dataDir);
  return new SqliteStore({ dataDir, durability: 'normal', ...options });
}

let n = 0;
const row = (extra: Partial<EventRow> = {}): EventRow => ({
  messageId: `m-${++n}`,
  site: 'test',
  type: 'track',
  event: 'Viewed',
  anonymousId: 'anon-1',
  userId: null,
  timestamp: 1,
  receivedAt: 1,
  payload: '{}',
  ...extra,
});

it('commits the requests of one turn together, flags duplicates and links identify events', async () => {
  const store = newStore();
  const first = row();
  const answers = await Promise.all([
    store.insertEvents([first, row()]),
    store.insertEvents([row({ type: 'identify', event: null, userId: 'user-1' })]),
  ]);
  expect(answers).toEqual([[true, true], [true]]);
  expect(await store.insertEvents([first, row()])).toEqual([false, true]);
  expect(await store.countEvents()).toBe(4);
  expect(store.db.prepare('SELECT anonymous_id AS a, user_id AS u FROM identity_links').all()).toEqual([
    { a: 'anon-1', u: 'user-1' },
  ]);
  await store.close();
});

it('orders other writes after the inserts requested before them', async () => {
  const store = newStore();
  const inserted = store.insertEvents([row(), row()]);
  const erased = store.eraseSubject(
    { site: 'test', kind: 'anonymous', id: 'anon-1' },
    'hash',
    (_kind, id) => `h-${id}`,
    { at: 2, site: 'test', action: 'erase', subjectHash: 'hash', via: 'secret', outcome: 'ok', receiptId: null },
    () => {},
  );
  expect(await inserted).toEqual([true, true]);
  expect((await erased).events).toBe(2);
  expect(await store.countEvents()).toBe(0);
  // Once the group is with the writer, the erasure waits for its commit, and rows requested meanwhile
  // are committed before the erasure runs.
  const sent = store.insertEvents([row()]);
  await new Promise((resolve) => setImmediate(resolve));
  const erasedAgain = store.eraseSubject(
    { site: 'test', kind: 'anonymous', id: 'anon-1' },
    'hash',
    (_kind, id) => `h-${id}`,
    { at: 3, site: 'test', action: 'erase', subjectHash: 'hash', via: 'secret', outcome: 'ok', receiptId: null },
    () => {},
  );
  const meanwhile = store.insertEvents([row()]);
  expect((await erasedAgain).events).toBe(2);
  expect([await sent, await meanwhile]).toEqual([[true], [true]]);
  expect(await store.countEvents()).toBe(0);
  await store.close();
});

it('keeps storing on the main thread when the writer thread stops', async () => {
  const store = newStore();
  const error = vi.spyOn(console, 'error').mockImplementation(() => {});
  expect(await store.insertEvents([row()])).toEqual([true]);
  const writer = (store as unknown as { writer: Worker }).writer;
  await writer.terminate();
  expect(error).toHaveBeenCalledWith(expect.stringContaining('writer thread stopped'));
  expect(await store.insertEvents([row(), row()])).toEqual([true, true]);
  expect(await store.countEvents()).toBe(3);
  await store.close();
  error.mockRestore();
});

it('commits on the calling thread when asked to', async () => {
  const store = newStore({ writerThread: false });
  expect(await store.insertEvents([row()])).toEqual([true]);
  await store.close();
  expect(store.db.open).toBe(false);
});
