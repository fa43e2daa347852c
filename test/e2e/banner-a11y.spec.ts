/**
 * The banner for people who use a keyboard, a screen reader, a narrow screen or 200 % zoom:
 * axe-core in both languages, a keyboard-only walkthrough, and screenshots to look at
 * (artifacts/screenshots/*.png).
 */
import { mkdirSync } from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect, type TestCollector, type TestSite, test, tillitPage } from '../support/fixtures.js';

const SHOTS = 'artifacts/screenshots';
mkdirSync(SHOTS, { recursive: true });

// A page with ordinary content around the banner, like a shop's front page.
const BODY = `<header><a href="/">Test shop</a></header>
<main><h1>Spring collection</h1><p>Light jackets, linen shirts and everything for the first warm days.</p>
<p><a href="/jackets">Jackets</a> · <a href="/shirts">Shirts</a></p>
<iframe title="Video" data-src="/embed" data-tillit-purpose="marketing" width="320" height="180"></iframe></main>`;

function open(site: TestSite, collector: TestCollector, lang = 'en') {
  site.setPage('/embed', '<!doctype html><title>embed</title><p>video</p>');
  site.setPage(
    '/',
    tillitPage({ collector, lang, body: BODY, attributes: { 'privacy-policy-url': '/policy', 'portal-url': '/portal' } }),
  );
}

const names = {
  en: { banner: 'Your privacy choices', prefs: 'Privacy preferences', choose: 'Choose' },
  sv: { banner: 'Dina integritetsval', prefs: 'Inställningar för integritet', choose: 'Välj själv' },
};

async function axe(page: Page) {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

for (const lang of ['en', 'sv'] as const) {
  test(`axe finds no violations in the banner, the dialog and the embed placeholder (${lang})`, async ({
    page,
    site,
    collector,
  }) => {
    open(site, collector, lang);
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.goto(site.url('/'));
    const banner = page.getByRole('dialog', { name: names[lang].banner });
    await expect(banner).toBeVisible();
    expect(await axe(page)).toEqual([]);
    await page.screenshot({ path: `${SHOTS}/banner-${lang}.png` });

    await banner.getByRole('button', { name: names[lang].choose }).click();
    await expect(page.getByRole('dialog', { name: names[lang].prefs })).toBeVisible();
    expect(await axe(page)).toEqual([]);
    await page.screenshot({ path: `${SHOTS}/dialog-${lang}.png` });
  });
}

for (const [label, size] of [
  ['320', { width: 320, height: 640 }],
  // 1280 × 720 at 200 % zoom lays out like a 640 × 360 viewport.
  ['zoom200', { width: 640, height: 360 }],
] as const) {
  test(`every action is reachable at ${label === '320' ? '320 px wide' : '200 % zoom'}, without horizontal scrolling`, async ({
    page,
    site,
    collector,
  }) => {
    open(site, collector, 'sv');
    await page.setViewportSize(size);
    await page.goto(site.url('/'));
    const banner = page.getByRole('dialog', { name: names.sv.banner });
    await expect(banner).toBeVisible();
    const box = (await banner.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(size.width);
    expect(box.y + box.height).toBeLessThanOrEqual(size.height);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(size.width);
    for (const name of ['Godkänn alla', 'Avvisa alla', 'Välj själv']) {
      const button = banner.getByRole('button', { name });
      await button.scrollIntoViewIfNeeded();
      await expect(button).toBeInViewport();
    }
    await page.screenshot({ path: `${SHOTS}/banner-sv-${label}.png` });

    await banner.getByRole('button', { name: 'Välj själv' }).click();
    const prefs = page.getByRole('dialog', { name: names.sv.prefs });
    const pbox = (await prefs.boundingBox())!;
    expect(pbox.x).toBeGreaterThanOrEqual(0);
    expect(pbox.x + pbox.width).toBeLessThanOrEqual(size.width);
    // Long Swedish words wrap instead of scrolling the dialog sideways.
    expect(await prefs.evaluate((d) => d.scrollWidth - d.clientWidth)).toBe(0);
    const save = prefs.getByRole('button', { name: 'Spara val' });
    await save.scrollIntoViewIfNeeded();
    await expect(save).toBeInViewport();
    await page.screenshot({ path: `${SHOTS}/dialog-sv-${label}-bottom.png` });
    await prefs.getByRole('button', { name: 'Stäng' }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/dialog-sv-${label}.png` });
  });
}

test('keyboard only: into the banner, into the dialog, trapped there, choose, save; Escape closes', async ({
  page,
  site,
  collector,
}) => {
  open(site, collector);
  await page.goto(site.url('/'));
  const banner = page.getByRole('dialog', { name: 'Your privacy choices' });
  // Focus is moved into the banner when it appears, so the next Tab reaches its links and buttons.
  await expect(banner).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(banner.getByRole('link', { name: 'privacy policy' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(banner.getByRole('link', { name: 'privacy portal' })).toBeFocused();
  await page.keyboard.press('Tab');
  const accept = banner.getByRole('button', { name: 'Accept all' });
  await expect(accept).toBeFocused();
  // Focus is visible: an outline is drawn around the focused button.
  expect(await accept.evaluate((b) => getComputedStyle(b).outlineStyle)).toBe('solid');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await expect(banner.getByRole('button', { name: 'Choose' })).toBeFocused();
  await page.keyboard.press('Enter');

  const prefs = page.getByRole('dialog', { name: 'Privacy preferences' });
  await expect(prefs).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(prefs.getByRole('button', { name: 'Close' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(prefs.getByRole('switch', { name: 'Analytics' })).toBeFocused();
  await page.keyboard.press('Space');
  await expect(prefs.getByRole('switch', { name: 'Analytics' })).toBeChecked();
  // Tab through to the end and once more: focus wraps to the top of the dialog, never the page.
  for (let i = 0; i < 5; i++) await page.keyboard.press('Tab');
  await expect(prefs.getByRole('button', { name: 'Save choices' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(prefs.getByRole('button', { name: 'Close' })).toBeFocused();
  await page.keyboard.press('Shift+Tab');
  await expect(prefs.getByRole('button', { name: 'Save choices' })).toBeFocused();

  // Escape closes the dialog without deciding and returns to the first layer, focus on Choose.
  await page.keyboard.press('Escape');
  await expect(prefs).toBeHidden();
  await expect(banner.getByRole('button', { name: 'Choose' })).toBeFocused();
  expect(
    await page.evaluate(() => (window as unknown as { tillit: { consent: { get(): unknown } } }).tillit.consent.get()),
  ).toBeNull();

  // Reopen, turn analytics on, save: all with keys.
  await page.keyboard.press('Enter');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Space');
  for (let i = 0; i < 5; i++) await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await expect(prefs).toBeHidden();
  await expect
    .poll(async () =>
      (await collector.rows<{ purposes: string }>('SELECT purposes FROM consent_records')).map((r) => JSON.parse(r.purposes)),
    )
    .toEqual([{ analytics: true, marketing: false, personalization: false }]);

  // The floating button reopens the preferences from the keyboard too.
  const settings = page.getByRole('button', { name: 'Privacy settings' });
  await expect(settings).toBeVisible();
  await settings.focus();
  await page.keyboard.press('Enter');
  await expect(prefs).toBeVisible();
  await expect(prefs.getByRole('switch', { name: 'Analytics' })).toBeChecked();
  await page.screenshot({ path: `${SHOTS}/dialog-en-reopened.png` });
});
