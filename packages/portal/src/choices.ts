import { h } from '@tillit/ui-kit';
import { type PortalView, say, section } from './view.js';

/** A purpose's name: its description in the processing register, else the purpose capitalised. */
const purposeLabel = (v: PortalView, purpose: string): string =>
  v.answer?.processing.purposes.find((p) => p.purpose === purpose)?.description ?? purpose[0]!.toUpperCase() + purpose.slice(1);

/** On the collector's page (no SDK): the latest choices as recorded; they are changed on the site. */
function recordedChoices(v: PortalView): HTMLElement {
  const { t } = v;
  const latest = v.answer?.data.consentRecords.at(-1);
  return section(
    v,
    'tp-choices',
    t.choices,
    h('p', {}, t.choicesStandalone),
    latest
      ? h(
          'ul',
          {},
          ...Object.entries(latest.purposes).map(([p, on]) => h('li', {}, `${purposeLabel(v, p)}: ${on ? t.on : t.off}`)),
        )
      : h('p', {}, t.noChoice),
  );
}

/** The visitor's choices: a checkbox per purpose, saved through the SDK where it is on the page. */
export function choices(v: PortalView): HTMLElement {
  const { t } = v;
  const consent = v.backend.consent;
  if (!consent) return recordedChoices(v);
  const decision = consent.get();
  const boxes = consent.purposes().map((purpose) => {
    const id = `tp-purpose-${purpose}`;
    const box = h('input', { type: 'checkbox', id, name: purpose });
    box.checked = decision?.purposes[purpose] === true;
    return { purpose, box, row: h('li', {}, box, h('label', { for: id }, purposeLabel(v, purpose))) };
  });
  const save = async (event: Event) => {
    event.preventDefault();
    await consent.set(Object.fromEntries(boxes.map(({ purpose, box }) => [purpose, box.checked])), { source: 'portal' });
    say(v, t.saved);
  };
  return section(
    v,
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
