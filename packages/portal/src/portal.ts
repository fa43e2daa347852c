/**
 * The portal's UI: consent choices (changeable where the SDK is on the page), consent history, the data
 * held in a paged table, downloads, erasure with confirmation and receipt, and the Art. 15 information.
 * Every stored value is set as text (textContent); nothing is ever parsed as HTML.
 */
import type { ConsentDecision } from '@tillit/sdk';
import type { SubjectAccess } from '@tillit/schema';
import { type PortalBackend, PortalError } from './backend.js';
import { CSS } from './styles.js';
import { fill, type Lang, TEXTS, type Texts } from './texts.js';

type Child = Node | string | false | null | undefined;

/** Element factory: `on*` props become listeners, others attributes; children are nodes or TEXT. */
function h(tag: string, props: Record<string, unknown> = {}, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v == null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v as EventListener);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  el.append(...(children.filter(Boolean) as (Node | string)[]));
  return el;
}

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

let sheet: CSSStyleSheet | undefined;

/** Styles a shadow root: a constructable stylesheet needs no 'unsafe-inline' under a strict CSP; else a nonced <style>. */
function adoptStyles(root: ShadowRoot, nonce?: string): Node[] {
  try {
    if (!sheet) {
      sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
    }
    root.adoptedStyleSheets = [sheet];
    return [];
  } catch {
    return [h('style', nonce ? { nonce } : {}, CSS)];
  }
}

/** Renders the portal into `host`'s shadow root (created if needed) and loads the visitor's data. */
export function mountPortal(host: HTMLElement, options: PortalOptions): Portal {
  const { backend } = options;
  const lang: Lang = options.lang ?? 'en';
  const t: Texts = TEXTS[lang];
  const level = options.headingLevel ?? 2;
  const pageSize = options.pageSize ?? 20;
  const root = host.shadowRoot ?? host.attachShadow({ mode: 'open' });
  const dateTime = (iso: string) => new Date(iso).toLocaleString(lang === 'sv' ? 'sv-SE' : 'en-GB');
  const heading = (text: string, id: string) => h(`h${level + 1}`, { id, tabindex: -1 }, text);
  const section = (id: string, title: string, ...children: Child[]) =>
    h('section', { 'aria-labelledby': id }, heading(title, id), ...children);

  const status = h('p', { role: 'status', 'aria-live': 'polite', class: 'status' });
  const body = h('div');
  const title = h(`h${level}`, { id: 'tp-title', tabindex: -1 }, t.title);
  root.replaceChildren(
    ...adoptStyles(root, options.nonce),
    h('div', { class: 'p', lang, role: 'region', 'aria-labelledby': 'tp-title' }, title, h('p', {}, t.intro), status, body),
  );

  const say = (text: string) => {
    status.textContent = text;
  };
  const failed = (error: unknown) => {
    say(error instanceof PortalError && error.expired ? t.expired : fill(t.failed, { reason: (error as Error).message }));
  };

  let answer: SubjectAccess | null = null;
  let page = 0;
  let unsubscribe: (() => void) | undefined;

  // --- choices ------------------------------------------------------------------------------

  const purposeLabel = (purpose: string) =>
    answer?.processing.purposes.find((p) => p.purpose === purpose)?.description ?? purpose[0]!.toUpperCase() + purpose.slice(1);

  function choices(): HTMLElement {
    const consent = backend.consent;
    if (!consent) {
      const latest = answer?.data.consentRecords.at(-1);
      return section(
        'tp-choices',
        t.choices,
        h('p', {}, t.choicesStandalone),
        latest
          ? h(
              'ul',
              {},
              ...Object.entries(latest.purposes).map(([p, on]) => h('li', {}, `${purposeLabel(p)}: ${on ? t.on : t.off}`)),
            )
          : h('p', {}, t.noChoice),
      );
    }
    const decision: ConsentDecision | null = consent.get();
    const boxes = consent.purposes().map((purpose) => {
      const id = `tp-purpose-${purpose}`;
      const box = h('input', { type: 'checkbox', id, name: purpose }) as HTMLInputElement;
      box.checked = decision?.purposes[purpose] === true;
      return { purpose, box, row: h('li', {}, box, h('label', { for: id }, purposeLabel(purpose))) };
    });
    const save = async (event: Event) => {
      event.preventDefault();
      await consent.set(Object.fromEntries(boxes.map(({ purpose, box }) => [purpose, box.checked])), { source: 'portal' });
      say(t.saved);
    };
    return section(
      'tp-choices',
      t.choices,
      h('p', {}, decision ? t.choicesHelp : t.noChoice),
      h(
        'form',
        { onsubmit: save },
        h('ul', { class: 'choices' }, ...boxes.map((b) => b.row)),
        h('button', { type: 'submit' }, t.save),
      ),
    );
  }

  // --- history and data ---------------------------------------------------------------------

  const table = (labelledBy: string, header: string[], rows: string[][]) =>
    h(
      'div',
      { class: 'scroll', tabindex: 0, role: 'group', 'aria-labelledby': labelledBy },
      h(
        'table',
        { 'aria-labelledby': labelledBy },
        h('thead', {}, h('tr', {}, ...header.map((text) => h('th', { scope: 'col' }, text)))),
        h('tbody', {}, ...rows.map((cells) => h('tr', {}, ...cells.map((text) => h('td', {}, text))))),
      ),
    );

  const sourceName = (source: string) => (t as Record<string, string>)[`s_${source}`] ?? source;

  function history(a: SubjectAccess): HTMLElement {
    const records = a.data.consentRecords;
    const rows = [...records].reverse().map((c) => [
      dateTime(c.decidedAt),
      Object.entries(c.purposes)
        .map(([p, on]) => `${p}: ${on ? t.on : t.off}`)
        .join(', '),
      sourceName(c.source),
      c.policyVersion,
    ]);
    return section(
      'tp-history',
      t.history,
      records.length ? table('tp-history', [t.time, t.decision, t.source, t.policy], rows) : h('p', {}, t.noHistory),
    );
  }

  function data(a: SubjectAccess): HTMLElement {
    const events = a.data.events;
    const pages = Math.max(1, Math.ceil(events.length / pageSize));
    page = Math.min(page, pages - 1);
    const slot = h('div');
    const pageStatus = h('p', { 'aria-live': 'polite' });
    const prev = h('button', { type: 'button' }, t.prev) as HTMLButtonElement;
    const next = h('button', { type: 'button' }, t.next) as HTMLButtonElement;
    const show = () => {
      const rows = events
        .slice(page * pageSize, (page + 1) * pageSize)
        .map((e) => [
          dateTime(e.timestamp),
          e.event ?? e.type,
          JSON.stringify({ ...e.properties, ...e.traits, ...(e.userId ? { userId: e.userId } : {}) }),
        ]);
      slot.replaceChildren(table('tp-data', [t.time, t.event, t.details], rows));
      pageStatus.textContent = fill(t.page, { page: page + 1, pages });
      prev.disabled = page === 0;
      next.disabled = page >= pages - 1;
    };
    prev.onclick = () => {
      page--;
      show();
    };
    next.onclick = () => {
      page++;
      show();
    };
    if (events.length) show();
    return section(
      'tp-data',
      t.data,
      h(
        'p',
        {},
        fill(t.summary, { events: events.length, consents: a.data.consentRecords.length, links: a.data.identityLinks.length }),
      ),
      events.length > 0 && slot,
      events.length > pageSize && h('div', { class: 'row' }, prev, pageStatus, next),
    );
  }

  function downloads(): HTMLElement {
    const button = (format: 'json' | 'csv', label: string) =>
      h(
        'button',
        {
          type: 'button',
          onclick: async (event: Event) => {
            const b = event.currentTarget as HTMLButtonElement;
            b.disabled = true;
            try {
              await backend.download(format);
            } catch (error) {
              failed(error);
            } finally {
              b.disabled = false;
            }
          },
        },
        label,
      );
    return section(
      'tp-download',
      t.download,
      h('p', {}, t.downloadHelp),
      h('div', { class: 'row' }, button('json', t.json), button('csv', t.csv)),
    );
  }

  function erasure(): HTMLElement {
    const start = h('button', { type: 'button', class: 'danger' }, t.eraseStart) as HTMLButtonElement;
    const cancel = h('button', { type: 'button' }, t.cancel) as HTMLButtonElement;
    const yes = h('button', { type: 'button', class: 'danger' }, t.eraseYes) as HTMLButtonElement;
    const confirm = h(
      'div',
      { role: 'group', 'aria-labelledby': 'tp-confirm', class: 'confirm', hidden: true },
      h('p', { id: 'tp-confirm' }, t.eraseConfirm),
      h('div', { class: 'row' }, yes, cancel),
    );
    start.onclick = () => {
      confirm.hidden = false;
      start.hidden = true;
      // The safe choice has the focus; erasing takes a deliberate second step.
      cancel.focus();
    };
    cancel.onclick = () => {
      confirm.hidden = true;
      start.hidden = false;
      start.focus();
    };
    yes.onclick = async () => {
      yes.disabled = cancel.disabled = true;
      try {
        const receipt = await backend.erase();
        showReceipt(receipt);
      } catch (error) {
        yes.disabled = cancel.disabled = false;
        failed(error);
      }
    };
    return section('tp-erase', t.erase, h('p', {}, t.eraseHelp), start, confirm);
  }

  function showReceipt(receipt: { receiptId: string; erasedAt?: string }): void {
    unsubscribe?.();
    answer = null;
    const done = heading(t.erased, 'tp-erased');
    body.replaceChildren(
      h(
        'section',
        { 'aria-labelledby': 'tp-erased', class: 'receipt' },
        done,
        h('p', {}, fill(t.receipt, { id: receipt.receiptId, time: dateTime(receipt.erasedAt ?? new Date().toISOString()) })),
        !backend.wipesLocal && h('p', {}, t.erasedStandalone),
      ),
    );
    say('');
    done.focus();
  }

  function about(a: SubjectAccess): HTMLElement {
    const p = a.processing;
    const list = (items: string[]) => (items.length ? h('ul', {}, ...items.map((i) => h('li', {}, i))) : t.none);
    const entries: [string, Child][] = [
      [t.controller, `${p.controller.name} (${p.controller.contact})`],
      [t.purposes, list(p.purposes.map((x) => `${x.description}: ${x.legalBasis}`))],
      [t.categories, list(p.categories)],
      [t.recipients, list(p.recipients)],
      [t.transfers, list(p.transfers)],
      [t.retention, p.retention.statement],
      [t.rights, list(p.rights)],
      [t.complain, `${p.supervisoryAuthority.name}, ${p.supervisoryAuthority.url}`],
      [t.sourceOfData, p.source],
      [t.automated, p.automatedDecisions],
    ];
    return section('tp-about', t.about, h('dl', {}, ...entries.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])));
  }

  // --- loading ------------------------------------------------------------------------------

  function render(): void {
    if (!answer) {
      body.replaceChildren(choices(), h('p', {}, t.noData));
      return;
    }
    body.replaceChildren(choices(), history(answer), data(answer), downloads(), erasure(), about(answer));
  }

  async function refresh(): Promise<void> {
    say(t.loading);
    try {
      answer = await backend.access();
      render();
      say('');
    } catch (error) {
      failed(error);
      if (backend.consent) body.replaceChildren(choices());
    }
  }

  // Another tab, or the banner, changed the decision: show it.
  unsubscribe = backend.consent?.onChange(() => {
    const wasEmpty = !answer;
    if (wasEmpty) void refresh();
    else body.firstElementChild?.replaceWith(choices());
  });
  void refresh();

  return {
    refresh,
    destroy() {
      unsubscribe?.();
      root.replaceChildren();
    },
  };
}
