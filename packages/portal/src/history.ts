import { h } from '@tillit/ui-kit';
import type { AccessAnswer } from './access-answer.js';
import { dateTime, type PortalView, section, table } from './view.js';

/** Every consent decision recorded, newest first. */
export function history(v: PortalView, a: AccessAnswer): HTMLElement {
  const { t } = v;
  const records = a.data.consentRecords;
  const sourceName = (source: string) => (t as Record<string, string>)[`s_${source}`] ?? source;
  const rows = [...records].reverse().map((c) => [
    dateTime(v, c.decidedAt),
    Object.entries(c.purposes)
      .map(([p, on]) => `${p}: ${on ? t.on : t.off}`)
      .join(', '),
    sourceName(c.source),
    c.policyVersion,
  ]);
  return section(
    v,
    'tp-history',
    t.history,
    records.length ? table('tp-history', [t.time, t.decision, t.source, t.policy], rows) : h('p', {}, t.noHistory),
  );
}
