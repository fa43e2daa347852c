/**
 * The script-tag entry `tillit-banner.js`, one of the package's two modules with side effects
 * (tags-global.ts is the other). The SDK's
 * `tillit.js` inserts it when a decision is needed or the page calls `tillit.showPreferences()`.
 *
 * It mounts the banner on `window.tillit` with options from `window.tillitBannerOptions` over the
 * SDK tag's data attributes (`data-privacy-policy-url`, `data-portal-url`, `data-lang`), and sets
 * `window.tillitBanner = { showPreferences }` at once, queueing a call made before mounting.
 *
 * If `window.tillit` is not ready yet (this file loaded first, or the SDK's stub is still in place),
 * it waits for it (page.ts). Gated tags, Consent Mode and cookie cleanup come from the page's one tag
 * mount, shared with tillit-tags.js when the site includes that too.
 */
import { mountBanner } from './banner.js';
import { pageTags, w, whenTillit } from './page.js';

if (!w.tillitBanner) {
  let ui: ReturnType<typeof mountBanner> | undefined;
  let wanted = false;
  w.tillitBanner = {
    showPreferences() {
      if (ui) ui.showPreferences();
      else wanted = true;
    },
  };
  // Made now (Consent Mode's default pushed) unless tillit-tags.js already did; reused by the banner.
  const tags = pageTags();

  whenTillit((tillit) => {
    const tag =
      document.querySelector<HTMLScriptElement>('script[data-write-key]') ??
      Array.from(document.scripts).find((s) => /tillit(\.min)?\.js([?#]|$)/.test(s.src));
    const d = tag?.dataset ?? {};
    const options = { privacyPolicyUrl: d.privacyPolicyUrl, portalUrl: d.portalUrl, language: d.lang, ...w.tillitBannerOptions };
    ui = mountBanner(tillit, options, tags(tillit));
    if (wanted) ui.showPreferences();
  });
}
