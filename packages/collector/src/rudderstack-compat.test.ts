import Analytics from '@rudderstack/rudder-sdk-node';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { type RunningCollector, TEST_WRITE_KEY, startCollector, storedEvents } from './testing.js';

let running: RunningCollector;
beforeEach(async () => {
  running = await startCollector();
});
afterEach(async () => {
  await running.destroy();
});

it("stores every call type of RudderStack's Node client exactly once (gzip bodies, no timestamp, only originalTimestamp)", async () => {
  const errors: unknown[] = [];
  const analytics = new Analytics(TEST_WRITE_KEY, {
    dataPlaneUrl: running.url,
    flushAt: 10,
    flushInterval: 50,
    retryCount: 0,
    logLevel: 'error',
    errorHandler: (error) => errors.push(error),
  });
  analytics.identify({ userId: 'user-42', traits: { plan: 'pro' } });
  analytics.track({ userId: 'user-42', event: 'Order Completed', properties: { revenue: 99.5 } });
  analytics.page({ anonymousId: 'anon-7', category: 'Docs', name: 'Checkout' });
  analytics.screen({ userId: 'user-42', name: 'Cart' });
  analytics.group({ userId: 'user-42', groupId: 'acme', traits: { employees: 12 } });
  analytics.alias({ userId: 'user-42', previousId: 'anon-7' });
  await analytics.flush();
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
  const [identify, order, , , group, alias] = rows.map((r) => r.payload);
  expect(identify!.traits).toEqual({ plan: 'pro' });
  expect(order!.properties).toEqual({ revenue: 99.5 });
  expect(order!.context.library.name).toBe('analytics-node');
  // The time is taken from originalTimestamp, corrected for clock skew as every event's is.
  const ms = (field: string) => Date.parse(order![field]);
  expect(ms('timestamp')).toBe(ms('receivedAt') - (ms('sentAt') - ms('originalTimestamp')));
  expect(group).toMatchObject({ groupId: 'acme', traits: { employees: 12 } });
  expect(alias!.previousId).toBe('anon-7');
});
