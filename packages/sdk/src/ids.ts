/**
 * Identifiers from `crypto.getRandomValues`, which (unlike `crypto.randomUUID`) also exists on
 * plain-http pages.
 */

let pool: Uint32Array | undefined;
let used = 0;
/**
 * 32 random bits, each used once. Taken from a pool of 768 filled at once: in Chromium a call to
 * getRandomValues costs ~8 µs (load 8), more than the rest of an id.
 */
const random = () => {
  used %= 768;
  if (!used) pool = crypto.getRandomValues(new Uint32Array(768));
  return pool![used++]!;
};
/** `n` as `width` hex digits. */
const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

let lastMs = 0;
let seq = 0;

/**
 * A UUID v7 (RFC 9562): 48-bit ms time, then a 12-bit counter so ids made in the same ms still
 * sort in order (method 1), then random bits. Time-ordered keys make SQLite inserts ~4× faster
 * and keep the IndexedDB queue in tracking order.
 */
export function uuidv7(now = Date.now()): string {
  const r = random();
  if (now > lastMs) {
    lastMs = now;
    seq = (r >>> 16) & 3; // a random start, leaving room to count up
  } else if (++seq > 0xfff) {
    lastMs++; // counter exhausted: borrow the next ms rather than go backwards
    seq = 0;
  }
  const t = hex(lastMs, 12);
  // Version 7 and the counter; variant 10 and 62 random bits (14 and 16 of r's, 32 more).
  return `${t.slice(0, 8)}-${t.slice(8)}-${hex(0x7000 | seq, 4)}-${hex(0x8000 | (r >>> 18), 4)}-${hex(random(), 8)}${hex(r & 0xffff, 4)}`;
}

/** 256 random bits as hex (64 characters): the subject's secret for data-subject requests (the collector takes 32 to 256 characters). */
export const secret = () => Array.from({ length: 8 }, () => hex(random(), 8)).join('');
