import { expect, it } from 'vitest';
import { GroupCommitter } from './group-commit.js';
import type { WriterThread } from './sqlite-event-writer.js';
import type { EventRow } from './store.js';

const row = (messageId: string) => ({ messageId }) as EventRow;
const turn = () => new Promise((resolve) => setImmediate(resolve));

/**
 * A committer with a writer that records what it is posted and answers only when the test says;
 * `committed`: what was committed on the calling thread instead (every row inserted).
 */
function withFakeWriter() {
  const posted: string[][] = [];
  const committed: string[][] = [];
  const committer = new GroupCommitter((rows) => {
    committed.push(rows.map((r) => r.messageId));
    return new Uint8Array(rows.length).fill(1);
  });
  const writer = { post: (rows: EventRow[]) => posted.push(rows.map((r) => r.messageId)), checkpoint() {} };
  committer.useWriter(writer as unknown as WriterThread);
  return { committer, posted, committed };
}

it('posts each turn’s rows at once, while earlier groups are still out, and answers them from one transaction’s flags', async () => {
  const { committer, posted, committed } = withFakeWriter();
  const groups: number[] = [];
  committer.onGroup = (rows) => groups.push(rows);

  const a = committer.insert([row('a1'), row('a2')]);
  const b = committer.insert([row('b1')]);
  await turn();
  const c = committer.insert([row('c1'), row('c2')]);
  await turn();
  // Not held back while the first group is out: the writer takes both into its next transaction.
  expect(posted).toEqual([
    ['a1', 'a2', 'b1'],
    ['c1', 'c2'],
  ]);

  // One transaction of all five rows: a2 and c1 were duplicates.
  committer.answered(Uint8Array.of(1, 0, 1, 0, 1), 5);
  expect(await a).toEqual([true, false]);
  expect(await b).toEqual([true]);
  expect(await c).toEqual([false, true]);
  expect(groups).toEqual([5]);
  expect(committed).toEqual([]);
});

it('answers the oldest groups only, when the writer committed them before the next one reached it', async () => {
  const { committer } = withFakeWriter();
  const settled: string[] = [];
  const a = committer.insert([row('a1')]).then((r) => settled.push(`a ${r}`));
  await turn();
  const b = committer.insert([row('b1'), row('b2')]).then((r) => settled.push(`b ${r}`));
  await turn();
  committer.answered(Uint8Array.of(1), 1);
  await a;
  expect(settled).toEqual(['a true']);
  committer.answered(Uint8Array.of(1, 1), 2);
  await b;
  expect(settled).toEqual(['a true', 'b true,true']);
});

it('fails every group of a failed transaction, and only those', async () => {
  const { committer } = withFakeWriter();
  const a = committer.insert([row('a1')]);
  await turn();
  const b = committer.insert([row('b1')]);
  await turn();
  const c = committer.insert([row('c1')]);
  await turn();
  committer.answered(new Error('disk I/O error'), 2);
  await expect(a).rejects.toThrow('disk I/O error');
  await expect(b).rejects.toThrow('disk I/O error');
  committer.answered(Uint8Array.of(1), 1);
  expect(await c).toEqual([true]);
});

it('runs an exclusive section only after every group out is answered, with the rows that came meanwhile committed here first', async () => {
  const { committer, posted, committed } = withFakeWriter();
  const order: string[] = [];
  const a = committer.insert([row('a1')]).then(() => order.push('a'));
  await turn();
  const b = committer.insert([row('b1')]).then(() => order.push('b'));
  await turn();
  const section = committer.exclusive(() => order.push(`section after ${committed.flat().join(',')}`));
  const c = committer.insert([row('c1')]).then(() => order.push('c'));
  await turn();
  expect(posted).toEqual([['a1'], ['b1']]); // c waits for the section
  committer.answered(Uint8Array.of(1), 1);
  await a;
  expect(order).toEqual(['a']); // b is still out
  committer.answered(Uint8Array.of(1), 1);
  await Promise.all([b, section, c]);
  expect(order).toEqual(['a', 'b', 'section after c1', 'c']);
  expect(posted).toHaveLength(2);
});
