import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { type BannerUI, mountBanner } from './banner.js';
import { fakeTillit } from './fake-tillit.js';
import { gateTags, type TagGate } from './tags.js';

type W = { ran?: string[]; dataLayer?: unknown[]; gtag?: unknown };
const w = window as unknown as W;
let gate: TagGate | undefined;
let ui: BannerUI | undefined;
let granted: Set<string>;

// happy-dom runs no scripts and loads every iframe unless told otherwise: run the gated inline tags,
// and never reach for the network. disableChildFrameNavigation alone keeps iframes off the network
// quietly (the frame only records its URL); disableIframePageLoading would log a DOMException with a
// stack trace for every src set, on a green run.
const settings = (window as unknown as { happyDOM: { settings: Record<string, any> } }).happyDOM.settings;
settings.enableJavaScriptEvaluation = true;
settings.suppressInsecureJavaScriptEnvironmentWarning = true;
settings.navigation.disableChildFrameNavigation = true;

beforeEach(() => {
  w.ran = [];
  delete w.dataLayer;
  delete w.gtag;
  granted = new Set();
  document.body.innerHTML = '';
});
afterEach(() => {
  gate?.stop();
  ui?.destroy();
  gate = ui = undefined;
});

const inline = (purpose: string, name: string, extra = '') =>
  `<script type="text/plain" data-tillit-purpose="${purpose}"${extra}>window.ran.push('${name}')</script>`;
const start = () => {
  gate = gateTags({ granted: (p) => granted.has(p) });
  return gate;
};

it('keeps gated scripts inert until their purpose is granted, then runs them once in document order', () => {
  document.body.innerHTML = inline('marketing', 'm1') + inline('analytics', 'a1') + inline('marketing', 'm2');
  start();
  expect(w.ran).toEqual([]);
  granted.add('marketing');
  gate!.scan();
  expect(w.ran).toEqual(['m1', 'm2']);
  gate!.scan();
  expect(w.ran).toEqual(['m1', 'm2']);
  granted.add('analytics');
  gate!.scan();
  expect(w.ran).toEqual(['m1', 'm2', 'a1']);
});

it('needs every purpose a tag names', () => {
  document.body.innerHTML = inline('analytics marketing', 'both');
  granted.add('analytics');
  start();
  expect(w.ran).toEqual([]);
  granted.add('marketing');
  gate!.scan();
  expect(w.ran).toEqual(['both']);
});

it('keeps the nonce and other attributes, and takes the real type from data-tillit-type', () => {
  document.body.innerHTML = inline('analytics', 'n', ' id="tag" data-tillit-type="text/javascript"');
  document.querySelector('script')!.nonce = 'r4nd0m';
  granted.add('analytics');
  start();
  const s = document.getElementById('tag') as HTMLScriptElement;
  expect(s.nonce).toBe('r4nd0m');
  expect(s.type).toBe('text/javascript');
  expect(w.ran).toEqual(['n']);
});

it('with a nonce configured, a tag without that nonce is never activated', () => {
  document.body.innerHTML = inline('analytics', 'injected') + inline('analytics', 'own');
  document.querySelectorAll('script')[1]!.nonce = 'site-nonce';
  granted.add('analytics');
  gate = gateTags({ granted: (p) => granted.has(p), nonce: 'site-nonce' });
  expect(w.ran).toEqual(['own']);
});

it('activates tags added to the page later', async () => {
  granted.add('analytics');
  start();
  const holder = document.createElement('div');
  holder.innerHTML = inline('analytics', 'late');
  document.body.append(holder);
  await vi.waitFor(() => expect(w.ran).toEqual(['late']));
});

it('blocks an embed behind a placeholder, loads it when granted and blocks it again on withdrawal', () => {
  document.body.innerHTML =
    '<iframe data-src="https://video.example/embed/1" data-tillit-purpose="marketing" width="560" height="315"></iframe>';
  const frame = document.querySelector('iframe')!;
  gate = gateTags({
    granted: (p) => granted.has(p),
    placeholder: (_f, missing) => Object.assign(document.createElement('p'), { className: 'ph', textContent: missing.join() }),
  });
  expect(frame.hidden).toBe(true);
  expect(frame.getAttribute('src')).toBeNull();
  expect(document.querySelector('.ph')!.textContent).toBe('marketing');
  granted.add('marketing');
  gate.scan();
  expect(frame.hidden).toBe(false);
  expect(frame.getAttribute('src')).toBe('https://video.example/embed/1');
  expect(document.querySelector('.ph')).toBeNull();
  granted.delete('marketing');
  gate.scan();
  expect(frame.getAttribute('src')).toBe('about:blank');
  expect(document.querySelector('.ph')).not.toBeNull();
});

it('the embed placeholder’s button grants just that purpose, keeping the others as they were', async () => {
  document.body.innerHTML = '<iframe data-src="https://video.example/embed/1" data-tillit-purpose="marketing"></iframe>';
  const tillit = fakeTillit(undefined, { analytics: true });
  ui = mountBanner(tillit);
  const placeholder = document.querySelector('tillit-embed')!.shadowRoot!;
  expect(placeholder.textContent).toContain('This content is blocked until you allow Marketing.');
  placeholder.querySelector('button')!.click();
  await vi.waitFor(() => expect(tillit.calls).toHaveLength(1));
  expect(tillit.calls[0]!.choices).toEqual({ analytics: true, marketing: true, personalization: false });
  expect(tillit.calls[0]!.options).toMatchObject({ source: 'banner', textHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
  expect(document.querySelector('iframe')!.getAttribute('src')).toBe('https://video.example/embed/1');
  expect(document.querySelector('tillit-embed')).toBeNull();
});

it('mounted with Consent Mode, the default is in the dataLayer before any gated tag runs', async () => {
  document.body.innerHTML =
    '<script type="text/plain" data-tillit-purpose="analytics">window.ran.push(String(window.dataLayer.length))</script>';
  const tillit = fakeTillit();
  ui = mountBanner(tillit, { consentMode: true });
  expect(w.dataLayer).toHaveLength(1);
  await tillit.consent.set({ analytics: true });
  // The update comes before the tag: Google's tags then start with the visitor's answer.
  expect(w.ran).toEqual(['2']);
  const update = Array.from(w.dataLayer![1] as ArrayLike<unknown>);
  expect(update.slice(0, 2)).toEqual(['consent', 'update']);
  expect(update[2]).toMatchObject({ analytics_storage: 'granted', ad_storage: 'denied' });
});

it('a returning visitor’s granted tags run and Consent Mode gets default then update at mount', () => {
  document.body.innerHTML = inline('analytics', 'a') + inline('marketing', 'm');
  ui = mountBanner(fakeTillit(undefined, { analytics: true }), { consentMode: true });
  expect(w.ran).toEqual(['a']);
  expect(w.dataLayer!.map((a) => (a as unknown[])[1])).toEqual(['default', 'update']);
});
