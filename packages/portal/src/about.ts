import { type Child, h } from '@tillit/ui-kit';
import type { AccessAnswer } from './access-answer.js';
import { type PortalView, section } from './view.js';

/** The Art. 15(1)(a–h) information from the collector's processing register, as a description list. */
export function about(v: PortalView, a: AccessAnswer): HTMLElement {
  const { t } = v;
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
  return section(v, 'tp-about', t.about, h('dl', {}, ...entries.flatMap(([k, d]) => [h('dt', {}, k), h('dd', {}, d)])));
}
