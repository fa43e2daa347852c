import { Analytics } from '@segment/analytics-node';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { type RunningCollector, TEST_WRITE_KEY, startCollector, storedEvents } from './testing.js';

let running: RunningCollector;
beforeEach(async () => {
  running = await startCollector();
});
afterEach(async () => {
  await running.destroy();
});

it("stores every call type of Segment's own Node client exactly once", async () => {
  const analytics = new Analytics({ writeKey: TEST_WRITE_KEY, host: running.url, maxEventsInBatch: 10, flushInterval: 50 });
  const errors: unknown[] = [];
  analytics.on('error', (error) => errors.push(error));
  analytics.identify({ userId: 'user-42', traits: { plan: 'pro' } });
  analytics.track({ userId: 'user-42', event: 'Order Completed', properties: { revenue: 99.5, currency: 'SEK' } });
  analytics.page({ anonymousId: 'anon-7', category: 'Docs', name: 'Checkout' });
  analytics.screen({ userId: 'user-42', name: 'Cart' });
  analytics.group({ userId: 'user-42', groupId: 'acme', traits: { employees: 12 } });
  analytics.alias({ userId: 'user-42', previousId: 'anon-7' });
  await analytics.closeAndFlush({ timeout: 5_000 });
  expect(errors).toEqual([]);
  const rows = storedEvents(running.db);
  expect(rows.map((r) => [r.type, r.event, r.userId, r.anonymousId])).toEqual([
    ['identify', null, 'user-42', null],
    ['track', 'Order Completed', 'user-42', null],
    ['page', 'Checkout', null, 'anon-7'],
    ['screen', 'Cart', 'user-42', null],
    ['group', null, 'user-42', null],
    ['alias', null, 'user-42', null],
  ]);
  expect(new Set(rows.map((r) => r.payload.messageId)).size).toBe(6);
  const [identify, order, page, , group, alias] = rows.map((r) => r.payload);
  expect(identify!.traits).toEqual({ plan: 'pro' });
  expect(order!.properties).toEqual({ revenue: 99.5, currency: 'SEK' });
  expect(order!.context.library.name).toBe('@segment/analytics-node');
  expect(page!.category).toBe('Docs');
  expect(group).toMatchObject({ groupId: 'acme', traits: { employees: 12 } });
  expect(alias!.previousId).toBe('anon-7');
});
