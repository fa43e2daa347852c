// Request bodies for the ingest benchmarks: batches of track events of about 300 bytes each, as
// the SDK sends them (UUID v7 message ids) or as Segment's clients do (random v4 ids).
import { randomBytes, randomUUID } from 'node:crypto';

let lastMs = 0;
let seq = 0;
/** UUID v7 with a 12-bit counter within a millisecond, as packages/sdk/src/ids.ts makes them. */
export function uuidv7(now = Date.now()) {
  const b = randomBytes(16);
  if (now > lastMs) {
    lastMs = now;
    seq = b[6] & 0x07;
  } else if (++seq > 0xfff) {
    lastMs++;
    seq = 0;
  }
  let t = lastMs;
  for (let i = 5; i >= 0; i--) {
    b[i] = t % 256;
    t = Math.floor(t / 256);
  }
  b[6] = 0x70 | (seq >> 8);
  b[7] = seq & 0xff;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export const newId = (kind) => (kind === 'v4' ? randomUUID() : uuidv7());

/** The anonymous id of subject `i` (stable, so erasure can find a subject's events). */
export const subjectId = (i) => `0190a1b2-0000-7000-8000-${String(i).padStart(12, '0')}`;

const SKUS = ['A-100', 'B-220', 'C-314', 'D-999'];

/** One track event of about 300 bytes as JSON. */
export function makeEvent(kind, subject, now = Date.now()) {
  return {
    type: 'track',
    event: 'Product Viewed',
    messageId: newId(kind),
    anonymousId: subjectId(subject),
    timestamp: new Date(now).toISOString(),
    properties: { sku: SKUS[subject % 4], price: 19.9 },
    context: {
      page: { path: '/p/shoe', title: 'Shoe' },
      consent: { purposes: ['analytics'], policyVersion: '2026-11' },
    },
  };
}

/**
 * `count` request bodies of `size` events each, every event with its own id (no duplicate ever
 * hits the dedup path), spread over `subjects` anonymous ids.
 */
export function makeBodies({ count, size, kind = 'v7', subjects = 10_000, writeKey }) {
  const bodies = new Array(count);
  let n = 0;
  for (let i = 0; i < count; i++) {
    const batch = [];
    for (let j = 0; j < size; j++) batch.push(makeEvent(kind, n++ % subjects));
    bodies[i] = JSON.stringify({ batch, sentAt: new Date().toISOString(), writeKey });
  }
  return bodies;
}

/** Average bytes of one event as JSON. */
export const eventBytes = () => Buffer.byteLength(JSON.stringify(makeEvent('v7', 1)));
