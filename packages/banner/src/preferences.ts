import { h } from '@tillit/ui-kit';
import { actions } from './actions.js';
import { type BannerState, decide, putAway } from './banner-state.js';
import type { PurposeText } from './texts.js';

/** One purpose: its switch (fixed on for `necessary`), description, recipients and retention. */
function purposeItem(s: BannerState, p: string, text: PurposeText, necessary?: boolean): HTMLLIElement {
  const { t } = s;
  const input = h('input', {
    type: 'checkbox',
    role: 'switch',
    'aria-describedby': `d-${p}`,
    checked: necessary,
    disabled: necessary,
  });
  if (!necessary) s.toggles_[p] = input;
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
}

const close = (s: BannerState) => s.dialog_.open && putAway(s, false);

/** The preferences dialog: a switch per purpose, and accept, reject or save what is switched on. */
export function preferencesDialog(s: BannerState): HTMLDialogElement {
  const { t, purposes_: purposes } = s;
  const save = () =>
    decide(s, s.dialog_, (o) => s.consent_.set(Object.fromEntries(purposes.map((p) => [p, s.toggles_[p]!.checked])), o));
  return h(
    'dialog',
    {
      'aria-labelledby': 'pt',
      tabindex: -1,
      // The browser's own Escape handling would close without us knowing where focus goes.
      oncancel: (e: Event) => {
        e.preventDefault();
        close(s);
      },
      onkeydown: (e: KeyboardEvent) => {
        if (e.key === 'Escape') {
          e.preventDefault();
          close(s);
        }
        if (e.key !== 'Tab') return;
        // Keep focus inside while modal, wrapping at both ends.
        const focusable = s.dialog_.querySelectorAll<HTMLElement>('button,a[href],input:not([disabled])');
        const first = focusable[0]!;
        const last = focusable[focusable.length - 1]!;
        const active = s.root_.activeElement;
        if (e.shiftKey ? active === first || active === s.dialog_ : active === last) {
          e.preventDefault();
          (e.shiftKey ? last : first).focus();
        }
      },
    },
    h(
      'div',
      { class: 'h' },
      h('h2', { id: 'pt' }, t.prefsTitle),
      h('button', { class: 'x', 'aria-label': t.close, onclick: () => close(s) }, '×'),
    ),
    h('p', {}, t.prefsIntro),
    h(
      'ul',
      {},
      purposeItem(s, 'necessary', { title: t.necessary, description: t.necessaryText }, true),
      ...purposes.map((p) => purposeItem(s, p, t.purposes[p] ?? {})),
    ),
    actions(s, () => s.dialog_, [t.save, save]),
  );
}
