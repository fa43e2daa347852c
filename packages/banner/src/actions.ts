import { h } from '@tillit/ui-kit';
import { type BannerState, decide } from './banner-state.js';

/**
 * Accept, reject and a third action (choose, or save): the same element with the same class, so the
 * three have equal weight. `layer` is the view whose text is hashed as proof.
 */
export function actions(s: BannerState, layer: () => Element, third: [string, () => void]): HTMLDivElement {
  const { consent_: consent, t } = s;
  return h(
    'div',
    { class: 'r' },
    h('button', { onclick: () => decide(s, layer(), (o) => consent.acceptAll(o)) }, t.accept),
    h('button', { onclick: () => decide(s, layer(), (o) => consent.rejectAll(o)) }, t.reject),
    h('button', { onclick: third[1] }, third[0]),
  );
}
