/**
 * The portal's UI: consent choices (changeable where the SDK is on the page), consent history, the data
 * held in a paged table, downloads, erasure with confirmation and receipt, and the Art. 15 information.
 * One section per module, each given the portal's state (view.ts). Every stored value is set as text
 * (textContent); nothing is ever parsed as HTML.
 */
import { adoptStyles, h } from '@tillit/ui-kit';
import { about } from './about.js';
import type { PortalBackend } from './backend.js';
import { choices } from './choices.js';
import { concluded } from './concluded.js';
import { dataList } from './data-list.js';
import { downloads } from './downloads.js';
import { erasure } from './erasure.js';
import { history } from './history.js';
import { CSS } from './styles.js';
import { type Lang, TEXTS } from './texts.js';
import { failed, type PortalView, say } from './view.js';

export interface PortalOptions {
  backend: PortalBackend;
  /** @defaultValue the host's `lang`, the page's, then the browser's */
  lang?: Lang;
  /** Level of the portal's main heading; sections use the next level. @defaultValue 2 */
  headingLevel?: 1 | 2 | 3 | 4;
  /** Events per page of the data table. @defaultValue 20 */
  pageSize?: number;
  /** The page's CSP nonce, for a `<style>` where constructable stylesheets are missing. */
  nonce?: string;
}

export interface Portal {
  /** Loads the data again. */
  refresh(): Promise<void>;
  destroy(): void;
}

function render(v: PortalView): void {
  const a = v.answer;
  if (a) {
    const derived = v.backend.conclusions && concluded(v);
    v.body.replaceChildren(choices(v), history(v, a), derived || '', dataList(v, a), downloads(v), erasure(v), about(v, a));
  } else v.body.replaceChildren(choices(v), h('p', {}, v.t.noData));
}

async function refresh(v: PortalView): Promise<void> {
  say(v, v.t.loading);
  try {
    v.answer = await v.backend.access();
    render(v);
    say(v, '');
  } catch (error) {
    failed(v, error);
    if (v.backend.consent) v.body.replaceChildren(choices(v));
  }
}

/** Renders the portal into `host`'s shadow root (created if needed) and loads the visitor's data. */
export function mountPortal(host: HTMLElement, options: PortalOptions): Portal {
  const lang: Lang = options.lang ?? 'en';
  const level = options.headingLevel ?? 2;
  const v: PortalView = {
    backend: options.backend,
    lang,
    t: TEXTS[lang],
    level,
    pageSize: options.pageSize ?? 20,
    status: h('p', { role: 'status', 'aria-live': 'polite', class: 'status' }),
    body: h('div'),
    answer: null,
    page: 0,
  };
  const root = host.shadowRoot ?? host.attachShadow({ mode: 'open' });
  root.replaceChildren(
    h(
      'div',
      { class: 'p', lang, role: 'region', 'aria-labelledby': 'tp-title' },
      h(`h${level}`, { id: 'tp-title', tabindex: -1 }, v.t.title),
      h('p', {}, v.t.intro),
      v.status,
      v.body,
    ),
  );
  adoptStyles(root, CSS, options.nonce);

  // Another tab, or the banner, changed the decision: show it.
  v.unsubscribe = v.backend.consent?.onChange(() => {
    if (!v.answer) void refresh(v);
    else v.body.firstElementChild?.replaceWith(choices(v));
  });
  void refresh(v);

  return {
    refresh: () => refresh(v),
    destroy() {
      v.unsubscribe?.();
      root.replaceChildren();
    },
  };
}
