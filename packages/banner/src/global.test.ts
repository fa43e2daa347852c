import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { fakeTillit } from './fake-tillit.js';

type W = { tillit?: unknown; tillitBanner?: { showPreferences(): void }; tillitBannerOptions?: unknown };
const w = window as unknown as W;
const root = () => document.querySelector('tillit-consent')?.shadowRoot;

beforeEach(() => {
  vi.resetModules();
  document.head.innerHTML = '';
  document.body.innerHTML = '';
  delete w.tillit;
  delete w.tillitBanner;
  delete w.tillitBannerOptions;
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
