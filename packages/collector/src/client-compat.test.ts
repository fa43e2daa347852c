import RudderAnalytics from '@rudderstack/rudder-sdk-node';
import { Analytics as SegmentAnalytics } from '@segment/analytics-node';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { type RunningCollector, TEST_WRITE_KEY, startCollector, storedEvents } from './testing.js';

// Segment's and RudderStack's own Node clients, pointed at the collector by configuration only.

let running: RunningCollector;
beforeEach(async () => {
  running = await startCollector();
});
afterEach(async () => {
  await running.destroy();
});

/** The calls both clients share, in their common object form. */
interface NodeClient {
  identify(message: object): void;
  track(message: object): void;
  page(message: object): void;
  screen(message: object): void;
  group(message: object): void;
  alias(message: object): void;
}

function callEveryType(client: NodeClient): void {
  client.identify({ userId: 'user-42', traits: { plan: 'pro' } });
  client.track({ userId: 'user-42', event: 'Order Completed', properties: { revenue: 99.5, currency: 'SEK' } });
  client.page({ anonymousId: 'anon-7', category: 'Docs', name: 'Checkout' });
  client.screen({ userId: 'user-42', name: 'Cart' });
  client.group({ userId: 'user-42', groupId: 'acme', traits: { employees: 12 } });
  client.alias({ userId: 'user-42', previousId: 'anon-7' });
}

/** Every call stored once, as sent; returns the stored events. */
async function expectEveryTypeOnce(): Promise<Record<string, any>[]> {
  const rows = await storedEvents(running.sql);
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
  expect(page!.category ?? page!.properties.category).toBe('Docs');
  expect(group).toMatchObject({ groupId: 'acme', traits: { employees: 12 } });
  expect(alias!.previousId).toBe('anon-7');
  return rows.map((r) => r.payload);
}

it("stores every call type of Segment's Node client exactly once", async () => {
  const analytics = new SegmentAnalytics({
    writeKey: TEST_WRITE_KEY,
    host: running.url,
    maxEventsInBatch: 10,
    flushInterval: 50,
  });
  const errors: unknown[] = [];
  analytics.on('error', (error) => errors.push(error));
  callEveryType(analytics);
  await analytics.closeAndFlush({ timeout: 5_000 });
  expect(errors).toEqual([]);
  const [, order] = await expectEveryTypeOnce();
  expect(order!.context.library.name).toBe('@segment/analytics-node');
});

it("stores every call type of RudderStack's Node client exactly once (gzip bodies with only originalTimestamp)", async () => {
  const errors: unknown[] = [];
  const analytics = new RudderAnalytics(TEST_WRITE_KEY, {
    dataPlaneUrl: running.url,
    flushAt: 10,
    flushInterval: 50,
    retryCount: 0,
    logLevel: 'error',
    errorHandler: (error) => errors.push(error),
  });
  callEveryType(analytics as NodeClient);
  await analytics.flush();
  expect(errors).toEqual([]);
  const [, order] = await expectEveryTypeOnce();
  expect(order!.context.library.name).toBe('analytics-node');
  // The time is taken from originalTimestamp, corrected for clock skew as every event's is.
  const ms = (field: string) => Date.parse(order![field]);
  expect(ms('timestamp')).toBe(ms('receivedAt') - (ms('sentAt') - ms('originalTimestamp')));
});
