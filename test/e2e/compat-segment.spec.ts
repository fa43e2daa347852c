import type { Page } from '@playwright/test';
import { collectorPaths, expectDelivered, expectEachTypeOnce, recordRequests, vendorPage } from '../support/clients.js';
import { type TestCollector, type TestSite, WRITE_KEY, expect, test } from '../support/fixtures.js';

// Segment's analytics.js 2.0 (@segment/analytics-next, its shipped UMD file) in real Chromium, pointed at the
// collector by configuration only: its settings are given inline (cdnSettings), so nothing is fetched from
// Segment's CDN, and `apiHost` names the collector.

declare global {
  interface Window {
    AnalyticsNext: typeof import('@segment/analytics-next');
    segment: import('@segment/analytics-next').Analytics;
  }
}

const CALL_TYPES = ['track', 'page', 'screen', 'identify', 'group', 'alias'];

async function loadSegment(page: Page, site: TestSite, collector: TestCollector, deliveryStrategy?: object) {
  site.setPage('/', vendorPage('@segment/analytics-next/dist/umd/index.js'));
  await page.goto(site.url('/'));
  const apiHost = `${new URL(collector.url).host}/v1`;
  await page.evaluate(
    async ({ writeKey, apiHost, origin, deliveryStrategy }) => {
      const [analytics] = await window.AnalyticsNext.AnalyticsBrowser.load(
        {
          writeKey,
          cdnURL: origin,
          cdnSettings: {
            integrations: { 'Segment.io': { apiKey: writeKey, apiHost, protocol: 'http', deliveryStrategy } },
            plugins: [],
            remotePlugins: [],
          } as any,
        },
        { disableClientPersistence: true },
      );
      window.segment = analytics;
    },
    { writeKey: WRITE_KEY, apiHost, origin: site.origin, deliveryStrategy },
  );
}

/** One call of every type; resolves when analytics.js has handed each to its delivery plugin. */
async function callEveryType(page: Page): Promise<void> {
  await page.evaluate(async () => {
    const consent = { categoryPreferences: { Analytics: true, Advertising: false } };
    await window.segment.identify('user-42', { plan: 'pro' });
    await window.segment.track('Order Completed', { revenue: 99.5 }, { context: { consent } });
    await window.segment.page('Docs', 'Intro', { section: 2 });
    await window.segment.screen('App', 'Cart');
    await window.segment.group('acme', { employees: 12 });
    await window.segment.alias('user-43', 'user-42');
  });
}

async function expectEveryTypeOnce(collector: TestCollector) {
  const byType = await expectEachTypeOnce(collector, CALL_TYPES);
  expect(byType.identify).toMatchObject({ userId: 'user-42', traits: { plan: 'pro' } });
  expect(byType.track).toMatchObject({ event: 'Order Completed', properties: { revenue: 99.5 } });
  expect(byType.track.context.consent).toEqual({
    categoryPreferences: { Analytics: true, Advertising: false },
    purposes: ['analytics'],
  });
  expect(byType.track.context.library.name).toBe('analytics.js');
  expect(byType.page).toMatchObject({ category: 'Docs', name: 'Intro', properties: { section: 2 } });
  expect(byType.group).toMatchObject({ groupId: 'acme', traits: { employees: 12 } });
  expect(byType.alias.previousId).toBe('user-42');
  expect(byType.track.anonymousId).toBe(byType.page.anonymousId);
}

test('analytics.js delivers every call type through the short routes (/v1/t …), each stored once', async ({
  page,
  site,
  collector,
}) => {
  const requests = recordRequests(page);
  await loadSegment(page, site, collector);
  await callEveryType(page);
  await expectDelivered(collector, CALL_TYPES, requests);
  await expectEveryTypeOnce(collector);
  expect(collectorPaths(requests, collector)).toEqual(new Set(['/v1/i', '/v1/t', '/v1/p', '/v1/s', '/v1/g', '/v1/a']));
});

test('analytics.js in batching mode delivers every call type through /v1/b, each stored once', async ({
  page,
  site,
  collector,
}) => {
  const requests = recordRequests(page);
  await loadSegment(page, site, collector, { strategy: 'batching', config: { size: CALL_TYPES.length, timeout: 60_000 } });
  await callEveryType(page);
  await expectDelivered(collector, CALL_TYPES, requests);
  await expectEveryTypeOnce(collector);
  expect(collectorPaths(requests, collector)).toEqual(new Set(['/v1/b']));
});
