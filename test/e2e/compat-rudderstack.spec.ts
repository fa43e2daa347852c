import type { Page } from '@playwright/test';
import { collectorPaths, expectDelivered, expectEachTypeOnce, recordRequests, vendorPage } from '../support/clients.js';
import { type TestCollector, type TestSite, WRITE_KEY, expect, test } from '../support/fixtures.js';

// RudderStack's JavaScript SDK v3 (@rudderstack/analytics-js, its shipped "bundled" UMD file: plugins
// inside, none loaded from a CDN) in real Chromium, pointed at the collector by configuration only: the
// collector is its data plane and serves its source config (configUrl), so nothing is fetched from
// RudderStack's servers.

declare global {
  interface Window {
    rudderanalytics: { RudderAnalytics: new () => RudderAnalytics };
    rudder: RudderAnalytics;
  }
}
interface RudderAnalytics {
  load(writeKey: string, dataPlaneUrl: string, options: object): void;
  ready(callback: () => void): void;
  track(event: string, properties?: object, options?: object, callback?: () => void): void;
  page(category: string, name: string, properties?: object, options?: object, callback?: () => void): void;
  identify(userId: string, traits?: object, options?: object, callback?: () => void): void;
  group(groupId: string, traits?: object, options?: object, callback?: () => void): void;
  alias(to: string, from?: string, options?: object, callback?: () => void): void;
}

// RudderStack's browser SDK has no screen call.
const CALL_TYPES = ['track', 'page', 'identify', 'group', 'alias'];
/** Where RudderStack fetches its source config when configUrl names the collector. */
const SOURCE_CONFIG = '/sourceConfig/';

async function loadRudderStack(page: Page, site: TestSite, collector: TestCollector, options: object) {
  site.setPage('/', vendorPage('@rudderstack/analytics-js/dist/npm/modern/bundled/umd/index.js'));
  await page.goto(site.url('/'));
  await page.evaluate(
    ({ writeKey, dataPlaneUrl, options }) =>
      new Promise<void>((resolve) => {
        window.rudder = new window.rudderanalytics.RudderAnalytics();
        window.rudder.load(writeKey, dataPlaneUrl, {
          configUrl: dataPlaneUrl,
          polyfillIfRequired: false,
          logLevel: 'ERROR',
          ...options,
        });
        window.rudder.ready(resolve);
      }),
    { writeKey: WRITE_KEY, dataPlaneUrl: collector.url, options },
  );
}

async function callEveryType(page: Page): Promise<void> {
  await page.evaluate(() => {
    window.rudder.identify('user-42', { plan: 'pro' });
    window.rudder.track('Order Completed', { revenue: 99.5 });
    window.rudder.page('Docs', 'Intro', { section: 2 });
    window.rudder.group('acme', { employees: 12 });
    window.rudder.alias('user-43', 'user-42');
  });
}

async function expectEveryTypeOnce(collector: TestCollector) {
  const byType = await expectEachTypeOnce(collector, CALL_TYPES);
  expect(byType.identify).toMatchObject({ userId: 'user-42', context: { traits: { plan: 'pro' } } });
  expect(byType.track).toMatchObject({ event: 'Order Completed', properties: { revenue: 99.5 } });
  expect(byType.track.context.library.name).toBe('RudderLabs JavaScript SDK');
  expect(byType.page).toMatchObject({ name: 'Intro', properties: { category: 'Docs', section: 2 } });
  expect(byType.group).toMatchObject({ groupId: 'acme', traits: { employees: 12 } });
  expect(byType.alias).toMatchObject({ userId: 'user-43', previousId: 'user-42' });
  expect(byType.track.anonymousId).toBe(byType.page.anonymousId);
}

test('RudderStack v3 delivers every call type through /v1/{type} (XHR, AnonymousId header), each stored once', async ({
  page,
  site,
  collector,
}) => {
  const requests = recordRequests(page);
  await loadRudderStack(page, site, collector, { plugins: ['XhrQueue'] });
  await callEveryType(page);
  await expectDelivered(collector, CALL_TYPES, requests);
  await expectEveryTypeOnce(collector);
  expect(collectorPaths(requests, collector)).toEqual(new Set([SOURCE_CONFIG, ...CALL_TYPES.map((type) => `/v1/${type}`)]));
});

test('RudderStack v3 in batch mode delivers every call type through /v1/batch, each stored once', async ({
  page,
  site,
  collector,
}) => {
  const requests = recordRequests(page);
  const queueOptions = { batch: { enabled: true, maxItems: CALL_TYPES.length, flushInterval: 60_000 } };
  await loadRudderStack(page, site, collector, { plugins: ['XhrQueue'], queueOptions });
  await callEveryType(page);
  await expectDelivered(collector, CALL_TYPES, requests);
  await expectEveryTypeOnce(collector);
  expect(collectorPaths(requests, collector)).toEqual(new Set([SOURCE_CONFIG, '/v1/batch']));
});

test('RudderStack v3 with useBeacon delivers every call type through /beacon/v1/batch, each stored once', async ({
  page,
  site,
  collector,
}) => {
  const requests = recordRequests(page);
  const beaconQueueOptions = { maxItems: CALL_TYPES.length, flushQueueInterval: 60_000 };
  await loadRudderStack(page, site, collector, { plugins: ['BeaconQueue'], useBeacon: true, beaconQueueOptions });
  await callEveryType(page);
  await expectDelivered(collector, CALL_TYPES, requests);
  await expectEveryTypeOnce(collector);
  expect(collectorPaths(requests, collector)).toEqual(new Set([SOURCE_CONFIG, '/beacon/v1/batch']));
});
