import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { fakeTillit } from './fake-tillit.js';

type W = {
  tillit?: unknown;
  tillitBanner?: { showPreferences(): void };
  tillitBannerOptions?: unknown;
  tillitTags?: unknown;
  dataLayer?: ArrayLike<unknown>[];
};
const w = window as unknown as W;
const root = () => document.querySelector('tillit-consent')?.shadowRoot;

beforeEach(() => {
  vi.resetModules();
  document.head.innerHTML = '';
  document.body.innerHTML = '';
  delete w.tillit;
  delete w.tillitBanner;
  delete w.tillitBannerOptions;
  delete w.tillitTags;
  delete w.dataLayer;
});
afterEach(() => vi.useRealTimers());

it('mounts on window.tillit with the SDK tag’s data attributes, site options winning', async () => {
  document.head.innerHTML =
    '<script type="text/plain" src="/cdn/tillit.js" data-privacy-policy-url="/policy" data-portal-url="/portal" data-lang="sv"></script>';
  w.tillit = fakeTillit();
  w.tillitBannerOptions = { portalUrl: '/my-data' };
  await import('./global.js');
  const links = Array.from(root()!.querySelectorAll('.b a')).map((a) => a.getAttribute('href'));
  expect(links).toEqual(['/policy', '/my-data']);
  expect(root()!.querySelector('.b button')!.textContent).toBe('Godkänn alla');
});

it('queues showPreferences called before window.tillit exists, and mounts on tillit:ready', async () => {
  vi.useFakeTimers();
  await import('./global.js');
  expect(root()).toBeUndefined();
  w.tillitBanner!.showPreferences();
  w.tillit = fakeTillit();
  dispatchEvent(new Event('tillit:ready'));
  expect(root()!.querySelector('dialog')!.open).toBe(true);
});

it('finds window.tillit by polling when no event comes, and ignores a stub without the API', async () => {
  vi.useFakeTimers();
  w.tillit = [];
  await import('./global.js');
  vi.advanceTimersByTime(200);
  expect(root()).toBeUndefined();
  w.tillit = fakeTillit();
  vi.advanceTimersByTime(60);
  expect(root()!.querySelector<HTMLElement>('.b')!.hidden).toBe(false);
});

it('mounts only once when the bundle is loaded twice', async () => {
  w.tillit = fakeTillit();
  await import('./global.js');
  vi.resetModules();
  await import('./global.js');
  expect(document.querySelectorAll('tillit-consent')).toHaveLength(1);
});

/** Consent Mode commands pushed so far: 'default' or 'update'. */
const consentCommands = () =>
  Array.from(w.dataLayer ?? [], (a) => Array.from(a))
    .filter((a) => a[0] === 'consent')
    .map((a) => a[1]);

/** Gated scripts that were activated (happy-dom runs no scripts here: the swap is what shows). */
const activated = () => document.querySelectorAll('script[data-tillit-purpose]:not([type="text/plain"])').length;

it('tillit-tags.js pushes the Consent Mode default at once and mounts the tags when the SDK is ready', async () => {
  document.body.innerHTML =
    '<script type="text/plain" data-tillit-purpose="analytics">window.tagRan = (window.tagRan || 0) + 1</script>';
  w.tillitBannerOptions = { consentMode: true };
  await import('./tags-global.js');
  expect(consentCommands()).toEqual(['default']); // before the SDK exists
  w.tillit = fakeTillit(undefined, { analytics: true });
  dispatchEvent(new Event('tillit:ready'));
  expect(consentCommands()).toEqual(['default', 'update']);
  expect(activated()).toBe(1);
  expect(root()).toBeUndefined(); // no UI
});

it('the banner reuses the tag mount of tillit-tags.js: one default, one update per decision', async () => {
  document.body.innerHTML =
    '<script type="text/plain" data-tillit-purpose="analytics">window.tagRuns = (window.tagRuns || 0) + 1</script>';
  w.tillitBannerOptions = { consentMode: true };
  const tillit = fakeTillit();
  await import('./tags-global.js');
  w.tillit = tillit;
  dispatchEvent(new Event('tillit:ready'));
  await import('./global.js');
  expect(root()).toBeDefined();
  await tillit.consent.acceptAll();
  expect(consentCommands()).toEqual(['default', 'update']);
  expect(activated()).toBe(1);
});
