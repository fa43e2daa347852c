/** Retry timing, with no platform access. */

/** Exponential backoff with full jitter: a random delay in [0, min(cap, base·2^attempt)). */
export function backoffDelay(attempt: number, random = Math.random, baseMs = 1000, capMs = 120_000): number {
  return Math.floor(random() * Math.min(capMs, baseMs * 2 ** attempt));
}

/** `Retry-After` (seconds or an HTTP date) in ms from now; 0 when absent or unreadable. */
export function retryAfterMs(header: string | null | undefined, now = Date.now()): number {
  // Number('') is 0 and an HTTP date is NaN: both fall through to Date.parse (NaN > 0 is false).
  const ms = Number(header) * 1000 || Date.parse(header ?? '') - now;
  // biome-ignore lint/complexity/useMathMinMax: Math.max(NaN, 0) is NaN; this comparison maps NaN to 0
  return ms > 0 ? ms : 0;
}
