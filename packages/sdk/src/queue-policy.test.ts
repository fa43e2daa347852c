import type { Event } from '@tillit/schema';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import {
  dropOldest,
  ENVELOPE_BYTES,
  MAX_BATCH_EVENTS,
  type Mirror,
  type QueueItem,
  setMem,
  toBatches,
  utf8Bytes,
} from './queue-policy.js';

const item = (i: number, n = 100, t = 1000 + i): QueueItem => ({ id: `id-${i}`, p: 'analytics', n, t, e: {} as Event });
const ids = (xs: QueueItem[]) => xs.map((x) => x.id);
const bounds = { maxEvents_: 3, maxBytes_: 1000, maxAgeMs_: 10_000 };

/** Runs dropOldest over the items as written ones: what it keeps, and what it marks to leave IndexedDB. */
const bound = (items: QueueItem[], now: number) => {
  const m = { puts_: [], dels_: [] } as unknown as Mirror;
  setMem(m, items);
  dropOldest(m, bounds, () => {}, now);
  return { keep: ids(m.mem_), drop: ids(m.dels_), bytes: m.bytes_ };
};

it('keeps everything within bounds', () => {
  expect(bound([item(1), item(2)], 2000)).toEqual({ keep: ['id-1', 'id-2'], drop: [], bytes: 200 });
});

it('drops the oldest beyond the count bound', () => {
  expect(
    bound(
      [1, 2, 3, 4, 5].map((i) => item(i)),
      2000,
    ),
  ).toEqual({ keep: ['id-3', 'id-4', 'id-5'], drop: ['id-1', 'id-2'], bytes: 300 });
});

it('drops the oldest beyond the byte bound', () => {
  expect(bound([item(1, 600), item(2, 300), item(3, 300)], 2000).keep).toEqual(['id-2', 'id-3']);
});

it('drops the oldest while it is older than the age bound', () => {
  expect(bound([item(1, 10, 0), item(2, 10, 500), item(3, 10, 9000)], 10_600)).toEqual({
    keep: ['id-3'],
    drop: ['id-1', 'id-2'],
    bytes: 10,
  });
});

it('never writes an item dropped before its write', () => {
  const m = { puts_: [], dels_: [] } as unknown as Mirror;
  setMem(m, [item(1), item(2), item(3), item(4)]);
  m.puts_ = [m.mem_[0]!, m.mem_[3]!];
  dropOldest(m, bounds, () => {}, 2000);
  expect({ puts: ids(m.puts_), dels: ids(m.dels_) }).toEqual({ puts: ['id-4'], dels: [] });
});

it('cuts batches by event count', () => {
  const batches = toBatches(
    [1, 2, 3, 4, 5].map((i) => item(i)),
    2,
  );
  expect(batches.map(ids)).toEqual([['id-1', 'id-2'], ['id-3', 'id-4'], ['id-5']]);
});

it('cuts batches so that no request body passes the byte limit', () => {
  const batches = toBatches(
    [1, 2, 3, 4, 5].map((i) => item(i, 30_000)),
    50,
  );
  expect(batches.map((b) => b.length)).toEqual([2, 2, 1]);
  for (const b of batches) expect(ENVELOPE_BYTES + b.reduce((s, i) => s + i.n + 1, 0)).toBeLessThanOrEqual(65_536);
});

it("fills a flush's requests up to the collector's 500 events and 64 KB, never past them", () => {
  const small = Array.from({ length: 1100 }, (_, i) => item(i, 60));
  expect(toBatches(small, MAX_BATCH_EVENTS).map((b) => b.length)).toEqual([500, 500, 100]);
  const large = Array.from({ length: 1000 }, (_, i) => item(i, 600));
  const batches = toBatches(large, MAX_BATCH_EVENTS);
  expect(batches.flat()).toHaveLength(1000);
  for (const b of batches) expect(ENVELOPE_BYTES + b.reduce((s, i) => s + i.n + 1, 0)).toBeLessThanOrEqual(65_536);
  expect(batches[0]!.length).toBe(Math.floor((65_536 - ENVELOPE_BYTES) / 601));
});

it('counts UTF-8 bytes, not UTF-16 units', () => {
  expect(utf8Bytes('å€😀')).toBe(2 + 3 + 4);
  expect(utf8Bytes('\u007f\u0080\u07ff\u0800\uffff\u{10000}\u{10ffff}')).toBe(1 + 2 + 2 + 3 + 3 + 4 + 4);
});

it('counts what TextEncoder counts for any JSON the SDK makes (which escapes lone surrogates)', () => {
  const encoder = new TextEncoder();
  fc.assert(
    fc.property(fc.string({ unit: 'binary' }), (text) => {
      const json = JSON.stringify({ text });
      expect(utf8Bytes(json)).toBe(encoder.encode(json).length);
    }),
    { numRuns: 2000 },
  );
});
