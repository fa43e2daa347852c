import { expect, it } from 'vitest';
import { backoffMs } from './backoff.js';
import { retryAfterMs } from './destination.js';

const config = { backoffSeconds: 5, maxBackoffSeconds: 60 };

it('doubles from the base, with half of each delay random, up to the cap', () => {
  expect([1, 2, 3, 4, 5].map((n) => backoffMs(n, config, () => 0))).toEqual([2500, 5000, 10_000, 20_000, 30_000]);
  expect([1, 2, 3, 4, 5].map((n) => backoffMs(n, config, () => 1))).toEqual([5000, 10_000, 20_000, 40_000, 60_000]);
  expect(backoffMs(30, config, () => 0.5)).toBe(45_000);
});

it('never retries sooner than Retry-After, even past the cap', () => {
  expect(backoffMs(1, config, () => 1, 120_000)).toBe(120_000);
  expect(backoffMs(3, config, () => 1, 1000)).toBe(20_000);
});

it('reads Retry-After as seconds or as an HTTP date', () => {
  const now = Date.parse('2026-12-02T12:00:00Z');
  expect(retryAfterMs('30', now)).toBe(30_000);
  expect(retryAfterMs('Wed, 02 Dec 2026 12:01:00 GMT', now)).toBe(60_000);
  expect(retryAfterMs('Wed, 02 Dec 2026 11:00:00 GMT', now)).toBe(0);
  expect(retryAfterMs('soon', now)).toBeUndefined();
  expect(retryAfterMs(null, now)).toBeUndefined();
});
