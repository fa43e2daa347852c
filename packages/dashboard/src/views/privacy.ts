import { h } from '@tillit/ui-kit';
import { type Dash, panel } from '../panel.js';
import { fill } from '../texts.js';

interface Request {
  receiptId: string;
  kind: string;
  channel: string;
  receivedAt: string;
  dueAt: string;
  state: string;
  overdue: boolean;
}
interface AuditEntry {
  at: string;
  site: string;
  action: string;
  via: string;
  outcome: string;
  count?: number;
}
interface Register {
  controller: { name: string; contact: string };
  purposes: { purpose: string; description: string; legalBasis: string }[];
  recipients: string[];
  retention: { eventsDays: number; statement: string };
}

const day = (iso: string) => iso.slice(0, 10);

/** Data-subject requests with their due dates (overdue ones stand out), erasures, the register, retention, the audit log. */
export async function privacy(d: Dash): Promise<void> {
  const { t } = d;
  const [{ requests }, { entries }, register] = await Promise.all([
    d.api.get<{ requests: Request[] }>('/v1/admin/requests'),
    d.api.get<{ entries: AuditEntry[] }>('/v1/admin/audit', { limit: 1000 }),
    d.api.get<Register>('/v1/admin/register'),
  ]);
  const erasures = entries.filter((e) => e.action === 'erase' && e.outcome === 'ok');
  d.main.append(
    panel(d, {
      id: 'requests',
      title: t.requests,
      data: {
        header: [t.kind, t.channelOf, t.received, t.due, t.state],
        rows: requests.map((r) => [
          r.kind,
          r.channel,
          day(r.receivedAt),
          day(r.dueAt),
          r.overdue ? `${t.overdue} · ${r.state}` : r.state,
        ]),
        rowClass: requests.map((r) => (r.overdue ? 'overdue' : undefined)),
      },
    }),
    panel(d, {
      id: 'erasures',
      title: t.erasures,
      note: fill(t.erasuresCount, { n: erasures.length }),
      data: { header: [t.time, t.via], rows: erasures.map((e) => [e.at.slice(0, 16).replace('T', ' '), e.via]) },
    }),
    panel(d, {
      id: 'register',
      title: t.register,
      note: `${t.controller}: ${register.controller.name} (${register.controller.contact}). ${t.recipients}: ${register.recipients.join(', ') || '—'}.`,
      data: {
        header: [t.purpose, t.legalBasis],
        rows: register.purposes.map((p) => [`${p.purpose}: ${p.description}`, p.legalBasis]),
      },
    }),
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'retention-t' },
      h('h2', { id: 'retention-t' }, t.retentionSettings),
      h('p', {}, register.retention.statement),
    ),
    panel(d, {
      id: 'audit',
      title: t.audit,
      data: {
        header: [t.time, t.action, t.via, t.outcome],
        rows: entries
          .slice(0, 200)
          .map((e) => [
            e.at.slice(0, 19).replace('T', ' '),
            e.action,
            e.via,
            e.count && e.count > 1 ? `${e.outcome} ×${e.count}` : e.outcome,
          ]),
      },
    }),
  );
}
