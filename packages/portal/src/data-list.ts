import { h } from '@tillit/ui-kit';
import type { AccessAnswer } from './access-answer.js';
import { fill } from './texts.js';
import { dateTime, type PortalView, section, table } from './view.js';

/** The data held: a summary and the events in a table of `pageSize` rows, with previous/next. */
export function dataList(v: PortalView, a: AccessAnswer): HTMLElement {
  const { t, pageSize } = v;
  const events = a.data.events;
  const pages = Math.max(1, Math.ceil(events.length / pageSize));
  v.page = Math.min(v.page, pages - 1);
  const slot = h('div');
  const pageStatus = h('p', { 'aria-live': 'polite' });
  const prev = h('button', { type: 'button', onclick: () => show(-1) }, t.prev);
  const next = h('button', { type: 'button', onclick: () => show(1) }, t.next);
  const show = (step: number) => {
    v.page += step;
    const rows = events
      .slice(v.page * pageSize, (v.page + 1) * pageSize)
      .map((e) => [
        dateTime(v, e.timestamp),
        e.event ?? e.type,
        JSON.stringify({ ...e.properties, ...e.traits, ...(e.userId ? { userId: e.userId } : {}) }),
      ]);
    slot.replaceChildren(table('tp-data', [t.time, t.event, t.details], rows));
    pageStatus.textContent = fill(t.page, { page: v.page + 1, pages });
    prev.disabled = v.page === 0;
    next.disabled = v.page >= pages - 1;
  };
  if (events.length) show(0);
  return section(
    v,
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
