import type { Event } from '@tillit/schema';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { QueueItem } from './queue-policy.js';
import { splitBatch } from './chunk.js';
import { deliver } from './transport.js';

const URL = 'http://collector.test/v1/batch';
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const items = (n: number): QueueItem[] =>
  Array.from({ length: n }, (_, i) => ({ id: `m${i}`, p: 'analytics', n: 50, t: 0, e: { messageId: `m${i}` } as Event }));
/** deliver(), with the items it lets go of as their ids. */
const delivered = async (...a: Parameters<typeof deliver>) => {
  const r = await deliver(...a);
  return { ...r, done_: r.done_.map((i) => i.id) };
};
const logs: unknown[][] = [];
const opts = {
  collectorUrl_: 'http://collector.test',
  writeKey_: 'wk',
  fetch_: (...a: Parameters<typeof fetch>) => fetch(...a),
  log_: (...a: unknown[]) => void logs.push(a),
  // A 413 loads the privacy chunk, whose split sends the halves through this deliver.
  deliver_: deliver,
  privacy_: async () => ({ split_: splitBatch(opts) }),
};
type Body = { batch: { messageId: string }[]; sentAt: string; writeKey: string };

it('sends a CORS-safelisted text/plain body with sentAt and the write key, without credentials', async () => {
  let seen: { type: string | null; body: Body; credentials: string } | undefined;
  server.use(
    http.post(URL, async ({ request }) => {
      seen = {
        type: request.headers.get('content-type'),
        body: (await request.json()) as Body,
        credentials: request.credentials,
      };
      return HttpResponse.json({ accepted: 2, duplicates: 0, rejected: [] });
    }),
  );
  expect(await delivered(items(2), opts)).toEqual({ done_: ['m0', 'm1'] });
  expect(seen?.type).toBe('text/plain;charset=UTF-8');
  expect(seen?.credentials).toBe('omit');
  expect(seen?.body.writeKey).toBe('wk');
  expect(Date.parse(seen!.body.sentAt)).toBeGreaterThan(Date.now() - 5000);
  expect(seen?.body.batch.map((e) => e.messageId)).toEqual(['m0', 'm1']);
});

it('removes accepted, duplicate and rejected events alike, and logs the rejections', async () => {
  server.use(
    http.post(URL, () =>
      HttpResponse.json({ accepted: 1, duplicates: 1, rejected: [{ index: 2, messageId: 'm2', reason: 'event: required' }] }),
    ),
  );
  logs.length = 0;
  expect((await delivered(items(3), opts)).done_).toEqual(['m0', 'm1', 'm2']);
  expect(JSON.stringify(logs)).toContain('event: required');
});

it('splits a batch in halves on 413 until the parts fit', async () => {
  const sizes: number[] = [];
  server.use(
    http.post(URL, async ({ request }) => {
      const { batch } = (await request.json()) as Body;
      sizes.push(batch.length);
      return batch.length > 2
        ? HttpResponse.json({ error: 'payload_too_large' }, { status: 413 })
        : HttpResponse.json({ accepted: batch.length, duplicates: 0, rejected: [] });
    }),
  );
  const r = await delivered(items(7), opts);
  expect(r).toEqual({ done_: ['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6'], retry_: undefined });
  expect(sizes).toEqual([7, 3, 1, 2, 4, 2, 2]);
});

it('drops a single event the collector finds too large, and a body it cannot read (400)', async () => {
  server.use(http.post(URL, () => HttpResponse.json({ error: 'payload_too_large' }, { status: 413 })));
  expect(await delivered(items(1), opts)).toEqual({ done_: ['m0'] });
  server.use(http.post(URL, () => HttpResponse.json({ error: 'bad_request' }, { status: 400 })));
  expect(await delivered(items(2), opts)).toEqual({ done_: ['m0', 'm1'] });
});

it('keeps the events on 429 and honours Retry-After in seconds', async () => {
  server.use(http.post(URL, () => HttpResponse.json({ error: 'busy' }, { status: 429, headers: { 'Retry-After': '30' } })));
  expect(await delivered(items(2), opts)).toEqual({ done_: [], retry_: 30_000 });
});

it('keeps the events on 5xx, 401 and network errors', async () => {
  server.use(http.post(URL, () => HttpResponse.json({ error: 'unavailable' }, { status: 503 })));
  expect(await delivered(items(1), opts)).toEqual({ done_: [], retry_: 0 });
  server.use(http.post(URL, () => HttpResponse.json({ error: 'unauthorized' }, { status: 401 })));
  expect(await delivered(items(1), opts)).toEqual({ done_: [], retry_: 0 });
  server.use(http.post(URL, () => HttpResponse.error()));
  expect(await delivered(items(1), opts)).toEqual({ done_: [], retry_: 0 });
});

it('stops splitting at the first part that must wait, keeping the acknowledged ones', async () => {
  let calls = 0;
  server.use(
    http.post(URL, () => {
      calls++;
      if (calls === 1) return HttpResponse.json({}, { status: 413 });
      if (calls === 2) return HttpResponse.json({ accepted: 2, duplicates: 0, rejected: [] });
      return HttpResponse.json({}, { status: 503, headers: { 'Retry-After': '2' } });
    }),
  );
  expect(await delivered(items(4), opts)).toEqual({ done_: ['m0', 'm1'], retry_: 2000 });
});

it('falls back to a beacon when the keepalive request fails at unload', async () => {
  const sent: string[] = [];
  Object.defineProperty(navigator, 'sendBeacon', { value: (_: string, body: string) => sent.push(body) > 0, configurable: true });
  const failing = (() => Promise.reject(new TypeError('keepalive quota'))) as typeof fetch;
  expect(await delivered(items(1), { ...opts, fetch_: failing }, true)).toEqual({ done_: [], retry_: 0 });
  expect(JSON.parse(sent[0]!).batch[0].messageId).toBe('m0');
});
