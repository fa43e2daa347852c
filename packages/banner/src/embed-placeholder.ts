import { adoptStyles, h } from '@tillit/ui-kit';
import { type BannerState, proof } from './banner-state.js';
import { CSS } from './styles.js';
import type { TagGateOptions } from './tags.js';

/** `200` → `200px`; other lengths (`100%`) as they are. */
const length = (v: string) => (/^\d+$/.test(v) ? `${v}px` : v);

/**
 * Placeholders for blocked embeds, in the box the embed would take: the button grants just that
 * embed's purposes, in place, keeping the others as they were.
 */
export function embedPlaceholder(s: BannerState): NonNullable<TagGateOptions['placeholder']> {
  const { t, consent_: consent } = s;
  return (frame, missing) => {
    const el = h('tillit-embed', { class: 'e-host' });
    const shadow = el.attachShadow({ mode: 'open' });
    adoptStyles(shadow, CSS, s.options_.nonce);
    // CSSOM writes are allowed where style attributes are not (CSP).
    el.style.width = length(frame.width);
    el.style.height = length(frame.height);
    const grant = async () => {
      const choices = { ...consent.get()?.purposes, ...Object.fromEntries(missing.map((p) => [p, true])) };
      await consent.set(choices, await proof(box.textContent!));
    };
    const box = h(
      'div',
      { class: 'e' },
      h('p', {}, t.blocked.replace('{purpose}', missing.map((p) => t.purposes[p]?.title || p).join(', '))),
      h('button', { onclick: grant }, t.load),
    );
    shadow.append(box);
    return el;
  };
}
