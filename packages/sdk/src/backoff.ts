/** Retry timing, with no platform access. */

/** Exponential backoff with full jitter: a random delay in [0, min(2 min, 1 s·2^attempt)). */
export const backoffDelay = (attempt: number, random = Math.random): number =>
  Math.floor(random() * Math.min(120_000, 1000 * 2 ** attempt));

/** `Retry-After` (seconds or an HTTP date) in ms from now; 0 when absent or unreadable. */
export function retryAfterMs(header: string | null | undefined, now = Date.now()): number {
  // Number('') is 0 and an HTTP date is NaN: both fall through to Date.parse (NaN > 0 is false).
  const ms = Number(header) * 1000 || Date.parse(header ?? '') - now;
  // biome-ignore lint/complexity/useMathMinMax: Math.max(NaN, 0) is NaN; this comparison maps NaN to 0
  return ms > 0 ? ms : 0;
}
