import { expect, it } from 'vitest';
import { FailureLimiter } from './rate-limit.js';

it('refuses a key past its failures until the window ends', () => {
  let now = 0;
  const limiter = new FailureLimiter(2, 10_000, 100, () => now);
  limiter.fail('a');
  expect(limiter.retryAfter('a')).toBe(0);
  limiter.fail('a');
  expect(limiter.retryAfter('a')).toBe(10);
  expect(limiter.retryAfter('b')).toBe(0);
  now = 10_000;
  expect(limiter.retryAfter('a')).toBe(0);
});

it('holds no more keys than its bound under a spray of keys inside one window (15.4)', () => {
  const limiter = new FailureLimiter(10, 60_000, 1_000, () => 0);
  for (let i = 0; i < 50_000; i++) limiter.fail(`2001:db8:${i.toString(16)}::/64`);
  expect(limiter.size).toBe(1_000);
  // The newest keys are the ones kept.
  for (let i = 0; i < 9; i++) limiter.fail('2001:db8:c34f::/64');
  expect(limiter.retryAfter('2001:db8:c34f::/64')).toBe(60);
});
