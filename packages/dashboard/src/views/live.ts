import { h } from '@tillit/ui-kit';
import { type Dash, table } from '../panel.js';

interface Entry {
  seq: number;
  at: string;
  status: 'accepted' | 'duplicate' | 'rejected';
  messageId: string | null;
  type: string | null;
  event: string | null;
  properties: string[];
  purposes: string[];
  reason: string | null;
}

const POLL_MS = 2000;
const KEEP = 200;

/** The last events as they arrive, rejected ones with their reasons; polls while the view is open. */
export async function live(d: Dash): Promise<void> {
  const { t } = d;
  const seen: Entry[] = [];
  let after = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const slot = h('div');
  const draw = () => {
    const rows = [...seen]
      .reverse()
      .map((e) => [
        e.at.slice(11, 19),
        t[e.status],
        e.type ?? '',
        e.event ?? '',
        e.reason ?? e.properties.join(', '),
        e.messageId ?? '',
      ]);
    slot.replaceChildren(
      table('live-t', {
        header: [t.time, t.status, t.type, t.name, `${t.properties} / ${t.reason}`, 'messageId'],
        rows,
        rowClass: [...seen].reverse().map((e) => (e.status === 'rejected' ? 'overdue' : undefined)),
      }),
    );
  };
  const poll = async () => {
    const { entries } = await d.api.get<{ entries: Entry[] }>('/v1/admin/live', { after });
    if (stopped) return;
    if (entries.length || !after) {
      seen.push(...entries);
      seen.splice(0, Math.max(0, seen.length - KEEP));
      after = seen.at(-1)?.seq ?? after;
      draw();
    }
    timer = setTimeout(() => poll().catch(() => undefined), POLL_MS);
  };
  d.stop = () => {
    stopped = true;
    clearTimeout(timer);
  };
  d.main.append(
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'live-t' },
      h('h2', { id: 'live-t' }, t.live),
      h('p', {}, t.liveHelp),
      slot,
    ),
  );
  await poll();
}
