import type { Tillit } from '@tillit/sdk';
import { adoptStyles, h } from '@tillit/ui-kit';
import { type BannerState, showChoices, showPreferences, sync } from './banner-state.js';
import { embedPlaceholder } from './embed-placeholder.js';
import { firstLayer } from './first-layer.js';
import { floatingButton } from './floating-button.js';
import { preferencesDialog } from './preferences.js';
import { CSS } from './styles.js';
import { mountTags, type TagsMount, type TagsOptions } from './tags-mount.js';
import { type PurposeText, type Texts, languageOf, textsFor } from './texts.js';

export interface BannerOptions extends TagsOptions {
  /** Linked from the banner text. */
  privacyPolicyUrl?: string;
  /** The site's privacy portal page, linked from the banner text. */
  portalUrl?: string;
  /** `sv…` → Swedish, anything else English unless `texts` has it. @defaultValue `<html lang>` */
  language?: string;
  /** Overrides per language: `{ sv: { accept: 'Ja tack' } }`. */
  texts?: Record<string, Partial<Texts>>;
  /** Description, recipients and retention per purpose (all languages; `texts[lang].purposes` wins). */
  purposes?: Record<string, PurposeText>;
  /** A small button that reopens the preferences once the banner is gone. @defaultValue true */
  floatingButton?: boolean;
  /**
   * The page's CSP nonce: used for a `<style>` where constructable stylesheets are missing, and
   * when set, gated tags without this nonce are never activated.
   */
  nonce?: string;
}

export interface BannerUI {
  /** Opens the preferences dialog (to change or withdraw a decision). */
  showPreferences(): void;
  /** Removes the banner and stops watching for tags; activated tags stay. */
  destroy(): void;
}

/**
 * Mounts the consent banner for a Tillit instance: the first layer while a decision is needed, the
 * preferences dialog on demand, gated tags, Consent Mode and cookie cleanup on every decision.
 * `tags` reuses a tag mount the page already has (tillit-tags.js); one is made otherwise.
 *
 * @example
 * const ui = mountBanner(tillit, { privacyPolicyUrl: '/privacy', portalUrl: '/my-data' });
 * footerLink.onclick = () => ui.showPreferences();
 */
export function mountBanner(tillit: Tillit, options: BannerOptions = {}, tags?: TagsMount): BannerUI {
  const consent = tillit.consent;
  const asked = languageOf(options.language || document.documentElement.lang);
  const lang = asked === 'sv' || options.texts?.[asked] ? asked : 'en';
  // First: Consent Mode's default must reach the dataLayer before any gated tag runs.
  const gate = tags ?? mountTags(tillit, options);

  // lang: screen readers pronounce, and CSS hyphenates, the banner's language, not the page's.
  const host = h('tillit-consent', { lang });
  const root = host.attachShadow({ mode: 'open' });
  adoptStyles(root, CSS, options.nonce);
  // The views are set right below; nothing reads them before.
  const s = {
    consent_: consent,
    options_: options,
    t: textsFor(lang, options.texts, options.purposes),
    purposes_: consent.purposes(),
    root_: root,
    toggles_: {},
  } as unknown as BannerState;
  s.layer_ = firstLayer(s);
  s.dialog_ = preferencesDialog(s);
  s.fab_ = floatingButton(s);
  root.append(s.layer_, s.dialog_, s.fab_);
  (document.body || document.documentElement).append(host);
  gate.setPlaceholder(embedPlaceholder(s));

  // Every change, from this tab or another, shows or hides the UI (the tag mount does the rest).
  const unsubscribe = consent.onChange(() => {
    if (!consent.needsDecision()) s.dismissed_ = false;
    if (s.dialog_.open) showChoices(s);
    sync(s);
  });

  sync(s);
  if (!s.layer_.hidden) {
    s.opener_ = document.activeElement;
    s.layer_.focus();
  }

  return {
    showPreferences: () => showPreferences(s),
    destroy() {
      unsubscribe();
      if (tags) gate.setPlaceholder(undefined);
      else gate.stop();
      host.remove();
    },
  };
}
