/**
 * IndexedDB failing in the ways browsers fail: missing (some private modes), throwing on open,
 * never answering open (a Safari fault), and full (quota exceeded on write). The SDK falls back to
 * memory: no exception reaches the page, and every event tracked after consent still arrives once.
 */
import { expect, test } from '../support/fixtures.js';
import { expectExactlyOnce, pageErrors, sdk, sdkPage, track } from './support.js';

test.describe.configure({ timeout: 30_000 });

// Each fault counts in window.faultHits when it strikes, so a test proves the SDK met it.
const hit = 'window.faultHits = (window.faultHits || 0) + 1;';
const FAULTS: Record<string, string> = {
  'IndexedDB missing': `Object.defineProperty(window, 'indexedDB', { get() { ${hit} return undefined; }, configurable: true });`,
  'indexedDB.open throwing': `IDBFactory.prototype.open = function () { ${hit} throw new DOMException('The user denied permission to access the database.', 'InvalidStateError'); };`,
  'indexedDB.open never answering': `IDBFactory.prototype.open = function () { ${hit} return Object.create(IDBOpenDBRequest.prototype); };`,
  // A full disk: every write throws, as Chromium does once the origin's quota is used up.
  'quota exceeded on every write': `
    IDBObjectStore.prototype.put = function () { ${hit} throw new DOMException('The quota has been exceeded.', 'QuotaExceededError'); };
    IDBObjectStore.prototype.add = IDBObjectStore.prototype.put;`,
};

for (const [fault, script] of Object.entries(FAULTS)) {
  test(`${fault}: no exception reaches the page, every event arrives once`, async ({ page, site, collector }) => {
    const errors = pageErrors(page);
    await page.addInitScript(script);
    await page.goto(sdkPage(site, collector));
    await sdk(page, (t) => t.consent.acceptAll());
    await track(page, 'Stored Elsewhere', 12);
    await expectExactlyOnce(collector, 'Stored Elsewhere', [{ tab: 'a', count: 12 }], { timeout: 10_000 });
    expect(await page.evaluate('window.faultHits')).toBeGreaterThan(0);
    expect(errors).toEqual([]);
  });
}

test('quota exceeded after some writes succeeded: events before and after the disk filled arrive once', async ({
  page,
  site,
  collector,
}) => {
  const errors = pageErrors(page);
  // The first write fits (the 5 events tracked in one task are one record), then the disk is full.
  await page.addInitScript(`
    const put = IDBObjectStore.prototype.put;
    let writes = 0;
    IDBObjectStore.prototype.put = function (...args) {
      if (this.name === 'queue' && ++writes > 1) {
        ${hit}
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      }
      return put.apply(this, args);
    };`);
  await page.goto(sdkPage(site, collector));
  await sdk(page, (t) => t.consent.acceptAll());
  await track(page, 'Disk Filling', 5);
  await page.waitForTimeout(200);
  await track(page, 'Disk Filling', 10, { from: 5 });
  await expectExactlyOnce(collector, 'Disk Filling', [{ tab: 'a', count: 15 }], { timeout: 10_000 });
  expect(await page.evaluate('window.faultHits')).toBeGreaterThan(0);
  expect(errors).toEqual([]);
});
