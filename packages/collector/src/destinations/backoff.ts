import type { OutboxConfig } from './config.js';

/**
 * Milliseconds before attempt `attempts + 1`: exponential (base · 2^(attempts−1), capped) with "equal jitter"
 * (half fixed, half random), so collectors that failed together do not retry together; never sooner than
 * the recipient's Retry-After.
 */
export function backoffMs(
  attempts: number,
  config: Pick<OutboxConfig, 'backoffSeconds' | 'maxBackoffSeconds'>,
  random: () => number,
  retryAfterMs = 0,
): number {
  const exp = Math.min(config.maxBackoffSeconds * 1000, config.backoffSeconds * 1000 * 2 ** Math.max(0, attempts - 1));
  const jittered = exp / 2 + random() * (exp / 2);
  return Math.max(Math.round(jittered), retryAfterMs);
}
