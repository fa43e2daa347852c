/** The embedded portal under a strict Content-Security-Policy (no 'unsafe-inline'), as careful sites run. */
import { expect, test, tillitPage } from '../support/fixtures.js';

const STRICT_CSP = `<meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self'; style-src 'self'; connect-src *">`;

test('the portal is styled under a strict CSP without a single violation', async ({ page, site, collector }) => {
  const violations: string[] = [];
  page.on('console', (message) => {
    if (message.text().includes('Content Security Policy')) violations.push(message.text());
  });
  site.setPage(
    '/privacy',
    tillitPage({
      collector,
      banner: false,
      head: STRICT_CSP,
      body: '<main><script src="/tillit/tillit-portal.js" data-heading-level="1"></script></main>',
    }),
  );
  await page.goto(site.url('/privacy'));
  await page.waitForFunction(() => (window as { tillit?: { consent?: unknown } }).tillit?.consent !== undefined);
  await page.evaluate(() =>
    (window as unknown as { tillit: { consent: { acceptAll(): Promise<void> } } }).tillit.consent.acceptAll(),
  );
  // The collector holds the visitor's secret once it has acknowledged the consent record that carried it: before,
  // the reloaded portal's request can reach the collector first and be refused (seen once on PostgreSQL).
  await expect
    .poll(() => page.evaluate(() => JSON.parse(localStorage.getItem('tillit_consent') ?? '{}').receiptId))
    .toEqual(expect.any(String));
  await page.reload();
  const portal = page.locator('tillit-privacy-portal');
  await expect(portal.getByRole('heading', { level: 1 })).toBeVisible();
  // The heading is drawn at once; the buttons only once the visitor's data has answered.
  await expect(portal.getByRole('button').first()).toBeVisible();
  const styled = await portal.evaluate((el) => {
    const root = el.shadowRoot!;
    const button = root.querySelector('button');
    return {
      sheets: root.adoptedStyleSheets.length,
      inlineStyles: root.querySelectorAll('style').length,
      cursor: button && getComputedStyle(button).cursor,
    };
  });
  expect(styled).toEqual({ sheets: 1, inlineStyles: 0, cursor: 'pointer' });
  expect(violations).toEqual([]);
});
