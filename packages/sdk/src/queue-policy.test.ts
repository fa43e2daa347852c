import type { Event } from '@tillit/schema';
import { expect, it } from 'vitest';
import { ENVELOPE_BYTES, type QueueItem, toBatches, trim, utf8Bytes } from './queue-policy.js';

const item = (i: number, n = 100, t = 1000 + i): QueueItem => ({ id: `id-${i}`, p: 'analytics', n, t, e: {} as Event });
const ids = (xs: QueueItem[]) => xs.map((x) => x.id);
const bounds = { maxEvents_: 3, maxBytes_: 1000, maxAgeMs_: 10_000 };

it('keeps everything within bounds', () => {
  const { keep_: keep, drop_: drop } = trim([item(1), item(2)], bounds, 2000);
  expect(ids(keep)).toEqual(['id-1', 'id-2']);
  expect(drop).toEqual([]);
});

it('drops the oldest beyond the count bound', () => {
  const { keep_: keep, drop_: drop } = trim(
    [1, 2, 3, 4, 5].map((i) => item(i)),
    bounds,
    2000,
  );
  expect(ids(keep)).toEqual(['id-3', 'id-4', 'id-5']);
  expect(ids(drop)).toEqual(['id-1', 'id-2']);
});

it('drops the oldest beyond the byte bound', () => {
  const { keep_: keep } = trim([item(1, 600), item(2, 300), item(3, 300)], bounds, 2000);
  expect(ids(keep)).toEqual(['id-2', 'id-3']);
});

it('drops events older than the age bound wherever they sit', () => {
  const { keep_: keep, drop_: drop } = trim([item(1, 10, 0), item(2, 10, 9000), item(3, 10, 500)], bounds, 10_600);
  expect(ids(keep)).toEqual(['id-2']);
  expect(ids(drop)).toEqual(['id-1', 'id-3']);
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

it('counts UTF-8 bytes, not UTF-16 units', () => {
  expect(utf8Bytes('å€😀')).toBe(2 + 3 + 4);
});
