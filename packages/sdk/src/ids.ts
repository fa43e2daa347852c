/**
 * Identifiers from `crypto.getRandomValues`, which (unlike `crypto.randomUUID`) also exists on
 * plain-http pages.
 */

const random = (n: number) => crypto.getRandomValues(new Uint8Array(n));
const hex = (b: Uint8Array) => Array.from(b, (x) => (x + 256).toString(16).slice(1)).join('');

let lastMs = 0;
let seq = 0;

/**
 * A UUID v7 (RFC 9562): 48-bit ms time, then a 12-bit counter so ids made in the same ms still
 * sort in order (method 1), then random bits. Time-ordered keys make SQLite inserts ~4× faster
 * and keep the IndexedDB queue in tracking order.
 */
export function uuidv7(now = Date.now()): string {
  const b = random(16);
  if (now > lastMs) {
    lastMs = now;
    seq = b[6]! & 0x07; // a random start, leaving room to count up
  } else if (++seq > 0xfff) {
    lastMs++; // counter exhausted: borrow the next ms rather than go backwards
    seq = 0;
  }
  let t = lastMs;
  for (let i = 5; i >= 0; i--) {
    b[i] = t % 256;
    t = Math.floor(t / 256);
  }
  b[6] = 0x70 | (seq >> 8);
  b[7] = seq & 0xff;
  b[8] = (b[8]! & 0x3f) | 0x80;
  return hex(b).replace(/(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-');
}

/** 32 random bytes as hex (64 characters): the subject's secret for data-subject requests. Hex, not
 * base64url: the uuid's hex encoder is in the bundle anyway (the collector takes 32 to 256 characters). */
export const secret = () => hex(random(32));
