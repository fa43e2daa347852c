/**
 * What must run on every page, decided or not, and needs no UI: gated tags, the Google Consent Mode
 * bridge and cookie cleanup on withdrawal. `tillit-tags.js` carries this alone; the banner uses it too.
 */
import type { Tillit } from '@tillit/sdk';
import { type ConsentModeOptions, consentMode } from './consent-mode.js';
import { type CookieRule, deleteCookies } from './cookies.js';
import { gateTags, type TagGateOptions } from './tags.js';

export interface TagsOptions {
  /** The page's CSP nonce: when set, gated tags without it are never activated. */
  nonce?: string;
  /** Google Consent Mode v2 bridge. @defaultValue false */
  consentMode?: boolean | ConsentModeOptions;
  /** Cookies each purpose's tags set; deleted when that purpose is withdrawn. */
  cookies?: Record<string, CookieRule[]>;
  /** Reload the page after a withdrawal, for tags that cannot be stopped once they ran. @defaultValue false */
  reloadOnWithdraw?: boolean;
}

export interface TagsMount {
  /** Activates what is granted now, blocks what is not. */
  scan(): void;
  /** Sets how a blocked embed is shown (the banner's "Load this"); without one it is only hidden. */
  setPlaceholder(placeholder: TagGateOptions['placeholder']): void;
  stop(): void;
}

/** Pushes Consent Mode's default now (when configured) and returns the function that pushes an update. */
export const consentModeFor = (options: TagsOptions, granted: (p: string) => boolean): (() => void) | undefined =>
  options.consentMode ? consentMode(granted, options.consentMode === true ? {} : options.consentMode) : undefined;

/**
 * Runs a Tillit instance's gated tags, Consent Mode and cookie cleanup on every decision, from this
 * tab or another. `update` is a Consent Mode bridge whose default was pushed earlier (the script tag
 * pushes it before the SDK is ready); by default the default is pushed now.
 *
 * @example
 * mountTags(tillit, { consentMode: true, cookies: { analytics: [/^_ga/] } });
 */
export function mountTags(
  tillit: Tillit,
  options: TagsOptions = {},
  update = consentModeFor(options, (p) => tillit.consent.isGranted(p)),
): TagsMount {
  const c = tillit.consent;
  const granted = (p: string): boolean => c.isGranted(p);
  // Consent Mode's update must reach the dataLayer before any gated tag runs.
  if (update && c.get()) update();
  const gate: TagGateOptions = { granted, nonce: options.nonce };
  const tags = gateTags(gate);
  let had = c.purposes().filter(granted);
  const unsubscribe = c.onChange(() => {
    update?.();
    tags.scan();
    const withdrawn = had.filter((p) => !granted(p));
    had = c.purposes().filter(granted);
    for (const p of withdrawn) deleteCookies(options.cookies?.[p] ?? []);
    if (withdrawn.length && options.reloadOnWithdraw) {
      // A reload aborts the SDK's consent record in flight: wait for the collector's receipt (≤ 3 s).
      let n = 0;
      const timer = setInterval(() => {
        if (c.get()?.receiptId || ++n > 30) {
          clearInterval(timer);
          location.reload();
        }
      }, 100);
    }
  });
  return {
    scan: tags.scan,
    setPlaceholder(placeholder) {
      gate.placeholder = placeholder;
      tags.scan();
    },
    stop() {
      unsubscribe();
      tags.stop();
    },
  };
}
