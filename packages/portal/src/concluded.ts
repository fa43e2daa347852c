import { h } from '@tillit/ui-kit';
import type { Conclusions, Right } from './backend.js';
import { fill } from './texts.js';
import { dateTime, failed, type PortalView, say, section } from './view.js';

type Words = Record<string, string>;

/** A switch for one right, its state read from the collector; a change takes effect at once. */
function rightSwitch(v: PortalView, w: Words, right: Right, on: boolean, reload: () => Promise<void>): HTMLElement {
  const id = `tp-${right}`;
  const box = h('input', { type: 'checkbox', role: 'switch', id, 'aria-describedby': `${id}-h` });
  box.checked = on;
  box.onchange = async () => {
    box.disabled = true;
    try {
      await v.backend.limit!(right, box.checked);
      say(v, v.t.saved);
      await reload();
      // The section was drawn again: the focus goes back to this switch.
      v.body.querySelector<HTMLElement>(`#${id}`)?.focus();
    } catch (error) {
      box.checked = !box.checked;
      box.disabled = false;
      failed(v, error);
    }
  };
  return h('li', {}, box, h('label', { for: id }, w[right]), h('p', { id: `${id}-h` }, w[`${right}Help`]));
}

/**
 * "What we concluded about you" (Art. 15(1)(h)): each result with how it was computed and what it is
 * for, the consent it rests on, and the switches to object (Art. 21) and restrict (Art. 18). The words
 * come with the collector's answer, in the portal's language.
 */
export function concluded(v: PortalView): HTMLElement {
  const slot = h('div');
  const pick = (x: Words) => x[v.lang] ?? x.en ?? '';
  const load = async () => {
    try {
      const c: Conclusions = await v.backend.conclusions!();
      const w = c.texts[v.lang] ?? c.texts.en!;
      const none = c.none === 'objection' || c.none === 'restriction' ? w[`${c.none}On`] : w.nothing;
      slot.replaceChildren(
        section(
          v,
          'tp-concluded',
          w.title!,
          c.results.length
            ? h(
                'ul',
                {},
                ...c.results.map((r) =>
                  h('li', {}, h('strong', {}, `${pick(r.label)}: ${pick(r.shown)}`), h('p', {}, `${pick(r.how)} ${pick(r.use)}`)),
                ),
              )
            : h('p', {}, none),
          c.results.length > 0 && c.basis && h('p', {}, fill(w.basis!, { time: dateTime(v, c.basis.decidedAt) })),
          h(
            'ul',
            { class: 'choices' },
            rightSwitch(v, w, 'objection', c.objection, load),
            rightSwitch(v, w, 'restriction', c.restriction, load),
          ),
        ),
      );
    } catch (error) {
      failed(v, error);
    }
  };
  void load();
  return slot;
}
