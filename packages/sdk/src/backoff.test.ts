import { expect, it } from 'vitest';
import { backoffDelay, retryAfterMs } from './backoff.js';

it('doubles the ceiling with each attempt, up to the cap', () => {
  const top = () => 0.999999;
  expect(backoffDelay(0, top)).toBe(999);
  expect(backoffDelay(3, top)).toBe(7999);
  expect(backoffDelay(30, top)).toBe(119_999);
});

it('spreads retries over the whole range (full jitter)', () => {
  expect(backoffDelay(5, () => 0)).toBe(0);
  expect(backoffDelay(5, () => 0.5)).toBe(16_000);
});

it('reads Retry-After as seconds or as an HTTP date', () => {
  const now = Date.UTC(2026, 0, 1);
  expect(retryAfterMs('7', now)).toBe(7000);
  expect(retryAfterMs(new Date(now + 30_000).toUTCString(), now)).toBe(30_000);
  expect(retryAfterMs(new Date(now - 30_000).toUTCString(), now)).toBe(0);
  expect(retryAfterMs('soon', now)).toBe(0);
  expect(retryAfterMs(null, now)).toBe(0);
});
