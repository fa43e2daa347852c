/**
 * What the two script-tag entries (tillit-banner.js, tillit-tags.js) share: finding the SDK on
 * `window.tillit`, and the page's one tag mount. No side effects of its own.
 */
import type { Tillit } from '@tillit/sdk';
import type { BannerOptions } from './banner.js';
import { consentModeFor, mountTags, type TagsMount } from './tags-mount.js';

export interface Globals {
  tillit?: Tillit;
  /** The site's options for the banner and the tag mount, set before the scripts. */
  tillitBannerOptions?: BannerOptions;
  tillitBanner?: { showPreferences(): void };
  /** The page's one tag mount, by whichever entry ran first; call it with the SDK to mount. */
  tillitTags?: (tillit: Tillit) => TagsMount;
}

export const w = window as unknown as Globals;

/**
 * Calls fn once with `window.tillit` when its API is there: now, on the SDK's `tillit:ready` event,
 * or by polling every 50 ms for 10 s (polling needs nothing from the SDK, the event makes it immediate).
 */
export function whenTillit(fn: (tillit: Tillit) => void): void {
  let done = false;
  const attempt = () => {
    const t = w.tillit;
    if (!done && typeof t?.consent?.needsDecision === 'function') {
      done = true;
      fn(t);
    }
    return done;
  };
  if (attempt()) return;
  let tries = 0;
  const timer = setInterval(() => (attempt() || ++tries > 200) && clearInterval(timer), 50);
  addEventListener('tillit:ready', attempt);
}

/**
 * The page's tag mount, made once (a window global) so that gated tags run once and Consent Mode's
 * default is pushed once with both bundles on a page. The default is pushed when it is made, before
 * the SDK is ready: tillit-tags.js, included before gtag, so comes first in the dataLayer.
 */
export function pageTags(): (tillit: Tillit) => TagsMount {
  if (!w.tillitTags) {
    const options = w.tillitBannerOptions ?? {};
    let sdk: Tillit | undefined;
    const update = consentModeFor(options, (p) => !!sdk?.consent.isGranted(p));
    let mount: TagsMount | undefined;
    w.tillitTags = (tillit) => {
      sdk = tillit;
      mount ??= mountTags(tillit, options, update);
      return mount;
    };
  }
  return w.tillitTags;
}
