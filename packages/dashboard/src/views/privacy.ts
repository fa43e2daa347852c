import { h } from '@tillit/ui-kit';
import { SignedOut } from '../api.js';
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

interface Destination {
  name: string;
  purpose: string;
  depth: number;
  oldestAgeSeconds: number | null;
  failing: number;
  deadLetters: number;
  erasures: { pending: number; failed: number; manual: number };
}

const day = (iso: string) => iso.slice(0, 10);

/** The destinations' outbox and erasure propagation (`GET /v1/destinations`); none when the store keeps no outbox. */
function destinations(d: Dash, list: Destination[]): HTMLElement {
  const { t } = d;
  return panel(d, {
    id: 'destinations',
    timeless: true,
    title: t.destinations,
    data: {
      header: [t.destination, t.purpose, t.depth, t.oldest, t.failing, t.deadLetters, t.erasuresOpen],
      rows: list.map((x) => [
        x.name,
        x.purpose,
        x.depth,
        x.oldestAgeSeconds === null ? '' : `${Math.round(x.oldestAgeSeconds / 60)} min`,
        x.failing,
        x.deadLetters,
        x.erasures.pending + x.erasures.failed + x.erasures.manual,
      ]),
      rowClass: list.map((x) => (x.failing || x.deadLetters || x.erasures.failed ? 'overdue' : undefined)),
    },
  });
}

/** Data-subject requests with their due dates (overdue ones stand out), erasures, the register, retention, the audit log. */
export async function privacy(d: Dash): Promise<void> {
  const { t } = d;
  const [{ requests }, { entries }, register, outbox] = await Promise.all([
    d.api.get<{ requests: Request[] }>('/v1/admin/requests'),
    d.api.get<{ entries: AuditEntry[] }>('/v1/admin/audit', { limit: 1000 }),
    d.api.get<Register>('/v1/admin/register'),
    d.api.get<{ destinations: Destination[] }>('/v1/destinations').catch((error: unknown) => {
      if (error instanceof SignedOut) throw error;
      return { destinations: [] };
    }),
  ]);
  const erasures = entries.filter((e) => e.action === 'erase' && e.outcome === 'ok');
  d.main.append(
    panel(d, {
      id: 'requests',
      timeless: true,
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
      timeless: true,
      title: t.erasures,
      note: fill(t.erasuresCount, { n: erasures.length }),
      data: { header: [t.time, t.via], rows: erasures.map((e) => [e.at.slice(0, 16).replace('T', ' '), e.via]) },
    }),
    panel(d, {
      id: 'register',
      timeless: true,
      title: t.register,
      note: `${t.controller}: ${register.controller.name} (${register.controller.contact}). ${t.recipients}: ${register.recipients.join(', ') || '—'}.`,
      data: {
        header: [t.purpose, t.legalBasis],
        rows: register.purposes.map((p) => [`${p.purpose}: ${p.description}`, p.legalBasis]),
      },
    }),
    // Shown once the collector forwards events somewhere (destinations in its config).
    ...(outbox.destinations.length ? [destinations(d, outbox.destinations)] : []),
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'retention-t' },
      h('h2', { id: 'retention-t' }, t.retentionSettings),
      h('p', {}, register.retention.statement),
    ),
    panel(d, {
      id: 'audit',
      timeless: true,
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
