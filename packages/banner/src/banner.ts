import type { DecisionOptions, Tillit } from '@tillit/sdk';
import { h, sha256 } from './dom.js';
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

let sheet: CSSStyleSheet | undefined;

/** Styles a shadow root: a constructable stylesheet needs no 'unsafe-inline'; else a nonced <style>. */
function adoptStyles(root: ShadowRoot, nonce?: string): void {
  try {
    if (!sheet) {
      sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
    }
    root.adoptedStyleSheets = [sheet];
  } catch {
    root.append(h('style', { nonce }, CSS));
  }
}

/** `{policy}` / `{portal}` in a text become links, or plain words when no URL is configured. */
function linked(text: string, links: Record<string, [string, string | undefined]>): (Node | string)[] {
  return text.split(/\{(\w+)\}/).map((part, i) => {
    if (i % 2 === 0) return part;
    const [label, href] = links[part] ?? [part, undefined];
    return href ? h('a', { href }, label) : label;
  });
}

const SVG = 'http://www.w3.org/2000/svg';

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
  const c = tillit.consent;
  const asked = languageOf(options.language || document.documentElement.lang);
  const lang = asked === 'sv' || options.texts?.[asked] ? asked : 'en';
  const t = textsFor(lang, options.texts, options.purposes);
  const purposes: string[] = c.purposes();
  const granted = (p: string): boolean => c.isGranted(p);
  const title = (p: string) => t.purposes[p]?.title || p;

  const own = !tags;
  // First: Consent Mode's default must reach the dataLayer before any gated tag runs.
  const gate = tags ?? mountTags(tillit, options);

  // lang: screen readers pronounce, and CSS hyphenates, the banner's language, not the page's.
  const host = h('tillit-consent', { lang });
  const root = host.attachShadow({ mode: 'open' });
  adoptStyles(root, options.nonce);

  /** Decision options with the hash of the exact text shown (none where crypto.subtle is missing). */
  const proof = async (text: string): Promise<DecisionOptions> => {
    const textHash = await sha256(text);
    return textHash ? { source: 'banner', textHash } : { source: 'banner' };
  };
  let dismissed = false;
  let opener: Element | null = null;

  const decide = async (layer: Element, act: (o: DecisionOptions) => Promise<void>): Promise<void> => {
    const text = layer.textContent ?? '';
    dismissed = true;
    if (dialog.open) dialog.close();
    sync();
    restoreFocus();
    await act(await proof(text));
  };
  // Accept, reject and the third action are the same element with the same class: equal weight.
  const actions = (layer: () => Element, third: [string, () => void]): HTMLDivElement =>
    h(
      'div',
      { class: 'r' },
      h('button', { onclick: () => decide(layer(), (o) => c.acceptAll(o)) }, t.accept),
      h('button', { onclick: () => decide(layer(), (o) => c.rejectAll(o)) }, t.reject),
      h('button', { onclick: third[1] }, third[0]),
    );

  const banner: HTMLDivElement = h(
    'div',
    {
      class: 'b',
      role: 'dialog',
      'aria-labelledby': 'bt',
      'aria-describedby': 'bd',
      tabindex: -1,
      hidden: true,
      // Escape puts the banner away for this page view: no decision is recorded, nothing runs.
      onkeydown: (e: KeyboardEvent) => {
        if (e.key !== 'Escape') return;
        dismissed = true;
        sync();
        restoreFocus();
      },
    },
    h('h2', { id: 'bt' }, t.title),
    h(
      'p',
      { id: 'bd' },
      ...linked(t.body, { policy: [t.policy, options.privacyPolicyUrl], portal: [t.portal, options.portalUrl] }),
    ),
    actions(() => banner, [t.choose, () => showPreferences()]),
  );

  const toggles: Record<string, HTMLInputElement> = {};
  const item = (p: string, text: PurposeText, necessary?: boolean) => {
    const input = h('input', {
      type: 'checkbox',
      role: 'switch',
      'aria-describedby': `d-${p}`,
      checked: necessary,
      disabled: necessary,
    });
    if (!necessary) toggles[p] = input;
    return h(
      'li',
      {},
      h('label', {}, h('span', {}, text.title || p), input),
      h(
        'div',
        { id: `d-${p}` },
        text.description && h('p', {}, text.description),
        text.recipients && h('p', {}, `${t.recipients}: ${text.recipients}`),
        text.retention && h('p', {}, `${t.retention}: ${text.retention}`),
        necessary && h('p', {}, t.alwaysOn),
      ),
    );
  };

  const closePreferences = (): void => {
    if (!dialog.open) return;
    dialog.close();
    sync();
    restoreFocus();
  };
  const dialog: HTMLDialogElement = h(
    'dialog',
    {
      'aria-labelledby': 'pt',
      tabindex: -1,
      // The browser's own Escape handling would close without us knowing where focus goes.
      oncancel: (e: Event) => {
        e.preventDefault();
        closePreferences();
      },
      onkeydown: (e: KeyboardEvent) => {
        if (e.key === 'Escape') {
          e.preventDefault();
          closePreferences();
        }
        if (e.key !== 'Tab') return;
        // Keep focus inside while modal, wrapping at both ends.
        const focusable = Array.from(dialog.querySelectorAll<HTMLElement>('button,a[href],input:not([disabled])'));
        const first = focusable[0]!;
        const last = focusable[focusable.length - 1]!;
        const active = root.activeElement;
        if (e.shiftKey ? active === first || active === dialog : active === last) {
          e.preventDefault();
          (e.shiftKey ? last : first).focus();
        }
      },
    },
    h(
      'div',
      { class: 'h' },
      h('h2', { id: 'pt' }, t.prefsTitle),
      h('button', { class: 'x', 'aria-label': t.close, onclick: closePreferences }, '×'),
    ),
    h('p', {}, t.prefsIntro),
    h(
      'ul',
      {},
      item('necessary', { title: t.necessary, description: t.necessaryText }, true),
      ...purposes.map((p) => item(p, t.purposes[p] ?? {})),
    ),
    actions(
      () => dialog,
      [t.save, () => decide(dialog, (o) => c.set(Object.fromEntries(purposes.map((p) => [p, toggles[p]!.checked])), o))],
    ),
  );

  const icon = document.createElementNS(SVG, 'svg');
  icon.setAttribute('viewBox', '0 0 24 24');
  icon.setAttribute('aria-hidden', 'true');
  const path = document.createElementNS(SVG, 'path');
  path.setAttribute(
    'd',
    'M12 2 4 5v6c0 5.2 3.4 9.9 8 11 4.6-1.1 8-5.8 8-11V5l-8-3Zm-1 14-4-4 1.4-1.4 2.6 2.6 5.6-5.6L18 9l-7 7Z',
  );
  icon.append(path);
  const fab = h(
    'button',
    { class: 'f', 'aria-label': t.settings, title: t.settings, hidden: true, onclick: () => showPreferences() },
    icon,
  );

  root.append(banner, dialog, fab);
  (document.body || document.documentElement).append(host);

  /** Shows what the state calls for: the first layer only while undecided and not put away. */
  function sync() {
    banner.hidden = !c.needsDecision() || dismissed || dialog.open;
    fab.hidden = options.floatingButton === false || !banner.hidden || dialog.open;
  }
  function restoreFocus() {
    const el = opener as HTMLElement | null;
    opener = null;
    if (el?.isConnected && !el.closest('[hidden]')) el.focus();
    else if (!fab.hidden) fab.focus();
  }
  function showPreferences() {
    if (dialog.open) return;
    opener = root.activeElement ?? document.activeElement;
    for (const p of purposes) toggles[p]!.checked = granted(p);
    dialog.showModal();
    sync();
    dialog.focus();
  }

  // Placeholders for blocked embeds: the button grants just that embed's purposes, in place.
  const placeholder = (frame: HTMLIFrameElement, missing: string[]) => {
    const el = h('tillit-embed', { class: 'e-host' });
    const shadow = el.attachShadow({ mode: 'open' });
    adoptStyles(shadow, options.nonce);
    // Same box as the embed would take; CSSOM writes are allowed where style attributes are not.
    const size = (v: string) => (/^\d+$/.test(v) ? `${v}px` : v);
    el.style.width = size(frame.width);
    el.style.height = size(frame.height);
    const box = h(
      'div',
      { class: 'e' },
      h('p', {}, t.blocked.replace('{purpose}', missing.map(title).join(', '))),
      h(
        'button',
        {
          onclick: async () => {
            const choices = { ...c.get()?.purposes, ...Object.fromEntries(missing.map((p) => [p, true])) };
            await c.set(choices, await proof(box.textContent ?? ''));
          },
        },
        t.load,
      ),
    );
    shadow.append(box);
    return el;
  };
  gate.setPlaceholder(placeholder);

  // Every change, from this tab or another, shows or hides the UI (the tag mount does the rest).
  const unsubscribe = c.onChange(() => {
    if (!c.needsDecision()) dismissed = false;
    if (dialog.open) for (const p of purposes) toggles[p]!.checked = granted(p);
    sync();
  });

  sync();
  if (!banner.hidden) {
    opener = document.activeElement;
    banner.focus();
  }

  return {
    showPreferences,
    destroy() {
      unsubscribe();
      if (own) gate.stop();
      else gate.setPlaceholder(undefined);
      host.remove();
    },
  };
}
