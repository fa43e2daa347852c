/**
 * `<tillit-privacy-portal>`: on a site's page it uses the SDK there (`window.tillit`); with
 * `mode="standalone"` (the collector's /privacy page) it takes a short-lived token from the URL fragment.
 *
 *   <tillit-privacy-portal lang="sv"></tillit-privacy-portal>
 */
import type { Tillit } from '@tillit/sdk';
import { type PortalBackend, sdkBackend, tokenBackend } from './backend.js';
import { mountPortal, type Portal } from './portal.js';
import { pickLang, TEXTS } from './texts.js';

export const ELEMENT_NAME = 'tillit-privacy-portal';
/** How long to wait for the SDK's script to set `window.tillit`. */
const SDK_WAIT_MS = 5000;

/** Reads `#token=…` and removes it from the address bar and history, so it is not bookmarked or shared. */
function takeToken(): string | null {
  const token = new URLSearchParams(location.hash.slice(1)).get('token');
  if (token) history.replaceState(history.state, '', location.pathname + location.search);
  return token;
}

async function waitForSdk(): Promise<Tillit | null> {
  const ready = () => {
    const t = (window as { tillit?: unknown }).tillit as Tillit | undefined;
    return t && !Array.isArray(t) && t.privacy ? t : null;
  };
  for (let waited = 0; !ready() && waited < SDK_WAIT_MS; waited += 100) await new Promise((r) => setTimeout(r, 100));
  return ready();
}

export class TillitPrivacyPortal extends HTMLElement {
  // Declared, not initialised: class fields compile (for es2020) to a defineProperty helper.
  declare portal?: Portal;
  declare private token?: string | null;

  async connectedCallback(): Promise<void> {
    if (this.portal) return;
    const standalone = this.getAttribute('mode') === 'standalone';
    // On a site's page the page's language wins; the collector's own page follows the browser.
    const lang = pickLang(
      this.getAttribute('lang'),
      standalone ? null : this.closest('[lang]')?.getAttribute('lang'),
      navigator.language,
    );
    const level = Number(this.getAttribute('heading-level')) || (standalone ? 1 : 2);
    let backend: PortalBackend | null = null;
    if (standalone) {
      this.token ??= takeToken();
      const base = (this.getAttribute('collector') || location.origin).replace(/\/+$/, '');
      backend = tokenBackend(base, this.token ?? '');
      document.documentElement.lang = lang;
    } else {
      const tillit = await waitForSdk();
      if (tillit) backend = sdkBackend(tillit);
    }
    if (!backend) {
      const note = document.createElement('p');
      note.textContent = TEXTS[lang].noSdk;
      (this.shadowRoot ?? this.attachShadow({ mode: 'open' })).replaceChildren(note);
      console.error('[tillit] privacy portal: window.tillit was not found; load tillit.js on this page before the portal.');
      return;
    }
    this.portal = mountPortal(this, { backend, lang, headingLevel: level as 1 | 2 | 3 | 4, nonce: this.nonce || undefined });
  }

  disconnectedCallback(): void {
    this.portal?.destroy();
    this.portal = undefined;
  }
}

/** Registers the element (once). */
export function defineElement(): void {
  if (!customElements.get(ELEMENT_NAME)) customElements.define(ELEMENT_NAME, TillitPrivacyPortal);
}
