import { h } from '@tillit/ui-kit';
import { actions } from './actions.js';
import { type BannerState, putAway, showPreferences } from './banner-state.js';

/** `{policy}` / `{portal}` in a text become links, or plain words when no URL is configured. */
function linked(text: string, links: Record<string, [string, string | undefined]>): (Node | string)[] {
  return text.split(/\{(\w+)\}/).map((part, i) => {
    if (i % 2 === 0) return part;
    const [label, href] = links[part] ?? [part, undefined];
    return href ? h('a', { href }, label) : label;
  });
}

/** The first layer: what is asked, links to the policy and the portal, and the three actions. */
export function firstLayer(s: BannerState): HTMLDivElement {
  const { t, options_: options } = s;
  const layer: HTMLDivElement = h(
    'div',
    {
      class: 'b',
      role: 'dialog',
      'aria-labelledby': 'bt',
      'aria-describedby': 'bd',
      tabindex: -1,
      hidden: true,
      // Escape puts the banner away for this page view: no decision is recorded, nothing runs.
      onkeydown: (e: KeyboardEvent) => e.key === 'Escape' && putAway(s, true),
    },
    h('h2', { id: 'bt' }, t.title),
    h(
      'p',
      { id: 'bd' },
      ...linked(t.body, { policy: [t.policy, options.privacyPolicyUrl], portal: [t.portal, options.portalUrl] }),
    ),
    actions(s, () => s.layer_, [t.choose, () => showPreferences(s)]),
  );
  return layer;
}
