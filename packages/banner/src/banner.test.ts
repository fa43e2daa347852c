import { createHash } from 'node:crypto';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { type BannerOptions, type BannerUI, mountBanner } from './banner.js';
import { decided, type FakeTillit, fakeTillit } from './fake-tillit.js';

let ui: BannerUI | undefined;
let tillit: FakeTillit;

beforeEach(() => {
  document.documentElement.lang = 'en';
  document.body.innerHTML = '<button id="page-button">page</button>';
  tillit = fakeTillit();
});
afterEach(() => {
  ui?.destroy();
  ui = undefined;
});

const mount = (options?: BannerOptions, t: FakeTillit = tillit) => {
  ui = mountBanner(t, options);
  return document.querySelector('tillit-consent')!.shadowRoot!;
};
const banner = (root: ShadowRoot) => root.querySelector<HTMLElement>('.b')!;
const dialog = (root: ShadowRoot) => root.querySelector('dialog')!;
const button = (el: ParentNode, text: string) => Array.from(el.querySelectorAll('button')).find((b) => b.textContent === text)!;
const toggle = (root: ShadowRoot, purpose: string) =>
  root.querySelector<HTMLInputElement>(`input[aria-describedby="d-${purpose}"]`)!;
const key = (el: Element, k: string, shiftKey = false) =>
  el.dispatchEvent(new KeyboardEvent('keydown', { key: k, shiftKey, bubbles: true, composed: true, cancelable: true }));
// The text hash is computed with crypto.subtle, which resolves after a few macrotasks.
const settle = () => vi.waitFor(() => expect(tillit.calls.length).toBeGreaterThan(0));
const sha = (text: string) => createHash('sha256').update(text).digest('hex');

it('shows the first layer while a decision is needed, with accept, reject and choose as identical buttons', () => {
  const root = mount();
  const b = banner(root);
  expect(b.hidden).toBe(false);
  expect(b.getAttribute('role')).toBe('dialog');
  expect(root.getElementById(b.getAttribute('aria-labelledby')!)!.textContent).toBe('Your privacy choices');
  const actions = Array.from(b.querySelectorAll('button'));
  expect(actions.map((a) => a.textContent)).toEqual(['Accept all', 'Reject all', 'Choose']);
  // Equal weight: same element, same parent, same classes and attributes apart from the listener.
  expect(new Set(actions.map((a) => a.parentElement))).toHaveProperty('size', 1);
  expect(new Set(actions.map((a) => a.outerHTML.replace(a.textContent!, '')))).toHaveProperty('size', 1);
  expect(root.activeElement).toBe(b);
});

it('is not shown to a visitor who has decided', () => {
  const root = mount({}, fakeTillit(undefined, { analytics: true }));
  expect(banner(root).hidden).toBe(true);
  expect(root.querySelector<HTMLElement>('.f')!.hidden).toBe(false);
});

it('links the privacy policy and the portal, and keeps the words when a URL is missing', () => {
  let root = mount({ privacyPolicyUrl: '/policy', portalUrl: '/portal' });
  expect(Array.from(banner(root).querySelectorAll('a')).map((a) => [a.textContent, a.getAttribute('href')])).toEqual([
    ['privacy policy', '/policy'],
    ['privacy portal', '/portal'],
  ]);
  ui!.destroy();
  root = mount({ privacyPolicyUrl: '/policy' });
  expect(banner(root).querySelectorAll('a')).toHaveLength(1);
  expect(banner(root).textContent).toContain('in the privacy portal.');
});

it('accept all records the decision with the banner as source and the hash of the text shown', async () => {
  const root = mount({ privacyPolicyUrl: '/policy' });
  const text = banner(root).textContent!;
  button(banner(root), 'Accept all').click();
  await settle();
  expect(tillit.calls).toEqual([
    {
      method: 'acceptAll',
      choices: { analytics: true, marketing: true, personalization: true },
      options: { source: 'banner', textHash: sha(text) },
    },
  ]);
  expect(banner(root).hidden).toBe(true);
});

it('reject all refuses every purpose', async () => {
  const root = mount();
  button(banner(root), 'Reject all').click();
  await settle();
  expect(tillit.calls[0]!.method).toBe('rejectAll');
  expect(tillit.calls[0]!.choices).toEqual({ analytics: false, marketing: false, personalization: false });
  expect(tillit.calls[0]!.options!.source).toBe('banner');
});

it('choose opens the preferences with nothing ticked but necessary, and saves exactly what was turned on', async () => {
  const root = mount({ purposes: { analytics: { recipients: 'This site only', retention: '13 months' } } });
  button(banner(root), 'Choose').click();
  const d = dialog(root);
  expect(d.open).toBe(true);
  expect(banner(root).hidden).toBe(true);
  expect(root.getElementById(d.getAttribute('aria-labelledby')!)!.textContent).toBe('Privacy preferences');
  const necessary = toggle(root, 'necessary');
  expect([necessary.checked, necessary.disabled]).toEqual([true, true]);
  for (const p of ['analytics', 'marketing', 'personalization']) expect(toggle(root, p).checked).toBe(false);
  expect(root.getElementById('d-analytics')!.textContent).toContain('Recipients: This site only');
  expect(root.getElementById('d-analytics')!.textContent).toContain('Kept for: 13 months');

  toggle(root, 'analytics').click();
  const text = d.textContent!;
  button(d, 'Save choices').click();
  await settle();
  expect(tillit.calls).toEqual([
    {
      method: 'set',
      choices: { analytics: true, marketing: false, personalization: false },
      options: { source: 'banner', textHash: sha(text) },
    },
  ]);
  expect(d.open).toBe(false);
  expect(banner(root).hidden).toBe(true);
});

it('reopened preferences reflect the current decision, and withdrawing saves the change', async () => {
  const t = fakeTillit(undefined, { analytics: true, marketing: true });
  const root = mount({}, t);
  ui!.showPreferences();
  expect(toggle(root, 'analytics').checked).toBe(true);
  expect(toggle(root, 'marketing').checked).toBe(true);
  expect(toggle(root, 'personalization').checked).toBe(false);
  toggle(root, 'marketing').click();
  button(dialog(root), 'Save choices').click();
  await vi.waitFor(() => expect(t.calls).toHaveLength(1));
  expect(t.calls[0]!.choices).toEqual({ analytics: true, marketing: false, personalization: false });
});

it('Escape on the first layer puts it away without recording anything; the floating button reopens', () => {
  const root = mount();
  key(banner(root), 'Escape');
  expect(banner(root).hidden).toBe(true);
  expect(tillit.calls).toEqual([]);
  const fab = root.querySelector<HTMLButtonElement>('.f')!;
  expect(fab.hidden).toBe(false);
  expect(fab.getAttribute('aria-label')).toBe('Privacy settings');
  fab.click();
  expect(dialog(root).open).toBe(true);
});

it('Escape in the dialog closes it, returns to the first layer and focus to Choose, without a decision', () => {
  const root = mount();
  const choose = button(banner(root), 'Choose');
  choose.focus();
  choose.click();
  expect(root.activeElement).toBe(dialog(root));
  key(dialog(root), 'Escape');
  expect(dialog(root).open).toBe(false);
  expect(banner(root).hidden).toBe(false);
  expect(root.activeElement).toBe(choose);
  expect(tillit.calls).toEqual([]);
});

it('keeps focus inside the modal dialog, wrapping at both ends', () => {
  const root = mount();
  ui!.showPreferences();
  const d = dialog(root);
  const focusable = Array.from(d.querySelectorAll<HTMLElement>('button,input:not([disabled])'));
  const last = focusable[focusable.length - 1]!;
  last.focus();
  key(last, 'Tab');
  expect(root.activeElement).toBe(focusable[0]);
  key(focusable[0]!, 'Tab', true);
  expect(root.activeElement).toBe(last);
});

it('speaks Swedish on a Swedish page and takes the site’s overrides', () => {
  document.documentElement.lang = 'sv-SE';
  const root = mount({ texts: { sv: { accept: 'Ja, gärna', purposes: { analytics: { title: 'Besöksstatistik' } } } } });
  expect(Array.from(banner(root).querySelectorAll('button')).map((b) => b.textContent)).toEqual([
    'Ja, gärna',
    'Avvisa alla',
    'Välj själv',
  ]);
  expect(dialog(root).textContent).toContain('Besöksstatistik');
  expect(dialog(root).textContent).toContain('Nödvändiga');
});

it('the language option wins over the page language', () => {
  document.documentElement.lang = 'sv';
  const root = mount({ language: 'en' });
  expect(banner(root).textContent).toContain('Accept all');
});

it('hides itself when another tab decides, and comes back when the decision goes away', () => {
  const root = mount();
  tillit.external(decided({ analytics: true, marketing: false, personalization: false }));
  expect(banner(root).hidden).toBe(true);
  tillit.external(null);
  expect(banner(root).hidden).toBe(false);
});

it('the floating button can be turned off', () => {
  const root = mount({ floatingButton: false }, fakeTillit(undefined, {}));
  expect(root.querySelector<HTMLElement>('.f')!.hidden).toBe(true);
});

it('styles live in the shadow root as a constructable stylesheet, with no <style> in the page', () => {
  const root = mount();
  expect(root.adoptedStyleSheets).toHaveLength(1);
  expect(document.querySelector('style')).toBeNull();
});

it('deletes the cookies of a withdrawn purpose and only those', async () => {
  const t = fakeTillit(undefined, { analytics: true, marketing: true });
  for (const name of ['_ga', '_ga_ABC', '_fbp', 'site']) {
    // biome-ignore lint/suspicious/noDocumentCookie: a third-party tag's cookie, set the way tags set them
    document.cookie = `${name}=1; path=/`;
  }
  mount({ cookies: { analytics: [/^_ga/], marketing: ['_fbp'] } }, t);
  await t.consent.set({ analytics: false, marketing: true });
  const names = document.cookie.split('; ').map((c) => c.split('=')[0]);
  expect(names.sort()).toEqual(['_fbp', 'site']);
});

it('destroy removes the banner from the page', () => {
  mount();
  ui!.destroy();
  ui = undefined;
  expect(document.querySelector('tillit-consent')).toBeNull();
});

it('leaves the text hash out where crypto.subtle is missing (plain http), and still records the decision', async () => {
  vi.stubGlobal('crypto', {});
  try {
    const root = mount();
    button(banner(root), 'Reject all').click();
    await settle();
    expect(tillit.calls[0]!.options).toEqual({ source: 'banner' });
  } finally {
    vi.unstubAllGlobals();
  }
});

it('with reloadOnWithdraw, reloads after a withdrawal once the collector’s receipt is in', async () => {
  vi.useFakeTimers();
  const reload = vi.spyOn(location, 'reload').mockImplementation(() => {});
  try {
    const t = fakeTillit(undefined, { analytics: true });
    mount({ reloadOnWithdraw: true }, t);
    await t.consent.set({ analytics: true, marketing: true }); // a grant: no reload
    await t.consent.set({ analytics: false });
    vi.advanceTimersByTime(500);
    expect(reload).not.toHaveBeenCalled(); // no receipt yet
    t.consent.get()!.receiptId = 'rcpt-1';
    vi.advanceTimersByTime(100);
    expect(reload).toHaveBeenCalledTimes(1);
  } finally {
    reload.mockRestore();
    vi.useRealTimers();
  }
});

it('uses a language the site supplies texts for, falls back to English otherwise, and says which on the host', () => {
  document.documentElement.lang = 'de-AT';
  let root = mount({ texts: { de: { accept: 'Alle akzeptieren' } } });
  expect(button(banner(root), 'Alle akzeptieren')).toBeDefined();
  expect(document.querySelector('tillit-consent')!.getAttribute('lang')).toBe('de');
  ui!.destroy();
  root = mount();
  expect(button(banner(root), 'Accept all')).toBeDefined();
  expect(document.querySelector('tillit-consent')!.getAttribute('lang')).toBe('en');
});
