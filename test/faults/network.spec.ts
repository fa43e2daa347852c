/**
 * Faults between the browser and the collector: the collector down, answering 500 and 429, the
 * browser offline. Each case ends by counting rows: every event tracked after consent exactly once.
 */
import { request } from 'node:http';
import { expect, test } from '../support/fixtures.js';
import { expectExactlyOnce, pageErrors, sdk, sdkPage, track } from './support.js';

/**
 * The CORS headers the real collector puts on an error answer to `origin` (a bad body gets a 400),
 * so that injected 500s and 429s are what a browser would get from the collector itself.
 */
function collectorCorsHeaders(url: string, origin: string): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/v1/batch`, { method: 'POST', headers: { origin, 'content-type': 'text/plain' } }, (res) => {
      res.resume();
      const cors = Object.entries(res.headers).filter(([name]) => name.startsWith('access-control-') || name === 'vary');
      resolve(Object.fromEntries(cors.map(([name, value]) => [name, String(value)])));
    });
    req.on('error', reject);
    req.end('{');
  });
}

test.describe.configure({ timeout: 45_000 });

test('collector down for a while, then back: every event arrives once', async ({ page, site, collector }) => {
  const errors = pageErrors(page);
  await page.goto(sdkPage(site, collector));
  await sdk(page, (t) => t.consent.acceptAll());
  await expect.poll(() => collector.count('SELECT count(*) AS n FROM consent_records')).toBe(1);
  await track(page, 'Outage', 10);
  await collector.stop();
  await track(page, 'Outage', 40, { from: 10 }); // a full batch flushes at once and fails, the rest waits
  await page.waitForTimeout(4000); // several failed attempts, backing off
  await collector.restart();
  await expectExactlyOnce(collector, 'Outage', [{ tab: 'a', count: 50 }]);
  expect(errors).toEqual([]);
});

test('500s, then 429 with Retry-After: the SDK waits at least that long, then every event arrives once', async ({
  page,
  site,
  collector,
}) => {
  // Longer than any backoff the SDK draws by the third attempt (< 4 s), so only Retry-After explains a wait this long.
  const RETRY_AFTER_S = 5;
  const answers = [500, 500, 429];
  const seen: { at: number; status: number | 'passed' }[] = [];
  const cors = await collectorCorsHeaders(collector.url, site.origin);
  expect(cors['access-control-allow-origin']).toBe(site.origin);
  // The first three batch requests get injected errors; later ones reach the real collector.
  await page.route(`${collector.url}/v1/batch`, async (route) => {
    const status = answers[seen.length];
    if (status === undefined) {
      seen.push({ at: Date.now(), status: 'passed' });
      return route.continue();
    }
    // A cross-origin page can read Retry-After only if the collector lists it in Access-Control-Expose-Headers.
    const headers: Record<string, string> = { ...cors, 'content-type': 'application/json' };
    if (status === 429) headers['retry-after'] = String(RETRY_AFTER_S);
    // Timed before the answer leaves: the SDK cannot have it earlier, and on a loaded machine fulfill()
    // can settle here tens of ms after the page has read it (timed after, a 5 s wait measured 4,969 ms).
    seen.push({ at: Date.now(), status });
    await route.fulfill({ status, headers, body: JSON.stringify({ error: 'injected', reason: `injected ${status}` }) });
  });
  await page.goto(sdkPage(site, collector));
  await sdk(page, (t) => t.consent.acceptAll());
  await track(page, 'Throttled', 35);
  await expectExactlyOnce(collector, 'Throttled', [{ tab: 'a', count: 35 }], { timeout: 30_000 });
  expect(seen.slice(0, 4).map((s) => s.status)).toEqual([500, 500, 429, 'passed']);
  const waited = seen[3]!.at - seen[2]!.at;
  expect(waited, `next request ${waited} ms after the 429`).toBeGreaterThanOrEqual(RETRY_AFTER_S * 1000);
});

test('browser offline, then online: nothing is sent offline, everything once after', async ({
  page,
  context,
  site,
  collector,
}) => {
  const errors = pageErrors(page);
  await page.goto(sdkPage(site, collector));
  await sdk(page, (t) => t.consent.acceptAll());
  await expect.poll(() => collector.count('SELECT count(*) AS n FROM consent_records')).toBe(1);
  await context.setOffline(true);
  await track(page, 'Offline', 45); // one full batch tries at once, the rest at the next interval
  await page.waitForTimeout(3000);
  expect(await collector.count("SELECT count(*) AS n FROM events WHERE event = 'Offline'")).toBe(0);
  await context.setOffline(false);
  // The 'online' event resets the backoff and flushes at once; without it a backed-off retry could take far longer.
  await expectExactlyOnce(collector, 'Offline', [{ tab: 'a', count: 45 }], { timeout: 6000 });
  expect(errors).toEqual([]);
});
