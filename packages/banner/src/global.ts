/**
 * The script-tag entry (`tillit-banner.js`), the banner's only module with side effects. The SDK's
 * `tillit.js` inserts it when a decision is needed or the page calls `tillit.showPreferences()`.
 *
 * It mounts the banner on `window.tillit` with options from `window.tillitBannerOptions` over the
 * SDK tag's data attributes (`data-privacy-policy-url`, `data-portal-url`, `data-lang`), and sets
 * `window.tillitBanner = { showPreferences }` at once, queueing a call made before mounting.
 *
 * If `window.tillit` is not ready yet (this file loaded first, or the SDK's stub is still in place),
 * it listens for a `tillit:ready` event on window and also polls every 50 ms for 10 s: polling
 * needs nothing from the SDK, the event makes it immediate when the SDK sends it.
 */
import type { Tillit } from '@tillit/sdk';
import { type BannerOptions, type BannerUI, mountBanner } from './banner.js';

interface Globals {
  tillit?: Tillit;
  tillitBannerOptions?: BannerOptions;
  tillitBanner?: { showPreferences(): void };
}

const w = window as unknown as Globals;

if (!w.tillitBanner) {
  let ui: BannerUI | undefined;
  let wanted = false;
  w.tillitBanner = {
    showPreferences() {
      if (ui) ui.showPreferences();
      else wanted = true;
    },
  };

  const options = (): BannerOptions => {
    const tag =
      document.querySelector<HTMLScriptElement>('script[data-write-key]') ??
      Array.from(document.scripts).find((s) => /tillit(\.min)?\.js([?#]|$)/.test(s.src));
    const d = tag?.dataset ?? {};
    return { privacyPolicyUrl: d.privacyPolicyUrl, portalUrl: d.portalUrl, language: d.lang, ...w.tillitBannerOptions };
  };

  const mount = (): boolean => {
    const t = w.tillit;
    if (!ui && typeof t?.consent?.needsDecision === 'function') {
      ui = mountBanner(t, options());
      if (wanted) ui.showPreferences();
    }
    return !!ui;
  };

  if (!mount()) {
    let tries = 0;
    const timer = setInterval(() => (mount() || ++tries > 200) && clearInterval(timer), 50);
    addEventListener('tillit:ready', mount);
  }
}
