/** Error containment: the SDK never throws into the host page. */

/** Logs an error the SDK caught instead of letting it reach the page. */
export const warn = (e: unknown) => console.warn('[tillit] internal error:', e);

/** Wraps a public method so that it never throws into the page. */
export const safe =
  <A extends unknown[], R>(fn: (...a: A) => R) =>
  (...a: A): R | undefined => {
    try {
      return fn(...a);
    } catch (e) {
      warn(e);
    }
  };

/** Runs fn; on a throw returns undefined (storage access throws in sandboxed frames, with cookies blocked). */
export const quietly = <R>(fn: () => R): R | undefined => {
  try {
    return fn();
  } catch {}
};

/** Parses stored JSON; null when absent or unreadable. */
export const parseJson = <T>(s: string | null): T | null => quietly(() => JSON.parse(s ?? 'null')) ?? null;
