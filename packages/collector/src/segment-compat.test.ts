import { Analytics } from '@segment/analytics-node';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { type RunningCollector, TEST_WRITE_KEY, startCollector } from './testing.js';

let running: RunningCollector;
beforeEach(async () => {
  running = await startCollector();
});
afterEach(async () => {
  await running.destroy();
});

it("stores events sent by Segment's own Node client", async () => {
  const analytics = new Analytics({ writeKey: TEST_WRITE_KEY, host: running.url, maxEventsInBatch: 10, flushInterval: 50 });
  const errors: unknown[] = [];
  analytics.on('error', (error) => errors.push(error));
  analytics.identify({ userId: 'user-42', traits: { plan: 'pro' } });
  analytics.track({ userId: 'user-42', event: 'Order Completed', properties: { revenue: 99.5, currency: 'SEK' } });
  analytics.page({ anonymousId: 'anon-7', name: 'Checkout' });
  await analytics.closeAndFlush({ timeout: 5_000 });
  expect(errors).toEqual([]);
  const rows = running.db.prepare('SELECT type, event, user_id, anonymous_id, payload FROM events ORDER BY id').all() as {
    type: string;
    event: string | null;
    user_id: string | null;
    anonymous_id: string | null;
    payload: string;
  }[];
  expect(rows.map((r) => [r.type, r.event, r.user_id, r.anonymous_id])).toEqual([
    ['identify', null, 'user-42', null],
    ['track', 'Order Completed', 'user-42', null],
    ['page', 'Checkout', null, 'anon-7'],
  ]);
  const order = JSON.parse(rows[1]!.payload);
  expect(order.properties).toEqual({ revenue: 99.5, currency: 'SEK' });
  expect(order.context.library.name).toBe('@segment/analytics-node');
});
