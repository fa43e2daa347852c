// Request bodies for the ingest benchmarks: batches of track events of about 300 bytes each, as
// the SDK sends them (UUID v7 message ids) or as Segment's clients do (random v4 ids).
import { randomUUID } from 'node:crypto';
// The SDK's own id maker (its built ESM entry; run.mjs builds first), so the bench sends the ids a browser would.
import { uuidv7 } from '../packages/sdk/dist/index.js';

/** The row the collector's store gets for event `e`, with the payload as the collector stores it. */
export function eventRow(e, site, receivedAt) {
  return {
    messageId: e.messageId,
    site,
    type: e.type,
    event: e.event,
    anonymousId: e.anonymousId,
    userId: null,
    timestamp: Date.parse(e.timestamp),
    receivedAt,
    payload: JSON.stringify({ ...e, originalTimestamp: e.timestamp, receivedAt: new Date(receivedAt).toISOString() }),
  };
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
