/**
 * The operator's view of the destinations (operator token): per destination the outbox depth, oldest age,
 * failing rows and dead letters, and every erasure propagation not delivered yet (pending, failed, or a
 * manual step with the ids to delete by hand); and replay of a destination's dead letters.
 */
import type { CollectorContext, CollectorRoute } from '../deps.js';
import { HttpError, json } from '../http.js';
import type { DestinationCounts } from './outbox-store.js';

const iso = (ms: number) => new Date(ms).toISOString();

function outboxOf(c: CollectorContext) {
  const outbox = c.env.store.outbox;
  if (!outbox) throw new HttpError(404, 'not_found', 'this store keeps no outbox');
  return outbox;
}

async function list(c: CollectorContext) {
  await c.env.auth.requireOperator(c);
  const outbox = outboxOf(c);
  const now = Date.now();
  const counts = new Map((await outbox.counts()).map((row) => [row.destination, row]));
  const destinations = c.env.config.sites.flatMap((site) =>
    site.destinations.map((d) => {
      const n = counts.get(d.name) ?? ({} as Partial<DestinationCounts>);
      return {
        name: d.name,
        type: d.type,
        site: site.name,
        purpose: d.purpose,
        depth: Number(n.pending ?? 0),
        oldestAgeSeconds: n.oldestQueuedAt == null ? null : Math.max(0, Math.round((now - Number(n.oldestQueuedAt)) / 1000)),
        failing: Number(n.failing ?? 0),
        deadLetters: Number(n.dead ?? 0),
        withheld: Number(n.withheld ?? 0),
        erasures: {
          pending: Number(n.erasuresPending ?? 0),
          failed: Number(n.erasuresDead ?? 0),
          manual: Number(n.erasuresManual ?? 0),
        },
      };
    }),
  );
  const erasures = (await outbox.openErasures()).map((e) => ({
    destination: e.destination,
    receiptId: e.receiptId,
    state: e.state === 'dead' ? 'failed' : e.state,
    queuedAt: iso(Number(e.queuedAt)),
    lastError: e.lastError,
    request: e.request ? JSON.parse(e.request) : null,
  }));
  return json(200, { destinations, erasures });
}

async function replay(c: CollectorContext) {
  await c.env.auth.requireOperator(c);
  const name = c.params.name!;
  if (!c.env.config.sites.some((s) => s.destinations.some((d) => d.name === name))) {
    throw new HttpError(404, 'not_found', 'no destination of that name is configured');
  }
  const replayed = await outboxOf(c).replay(name, Date.now());
  c.env.outbox.nudge();
  return json(200, { destination: name, replayed });
}

/** The operator did a manual step (or a failed propagation) by hand: the ids are cleared, and the audit log says so. */
async function erasureDone(c: CollectorContext) {
  await c.env.auth.requireOperator(c);
  const { name, receiptId } = c.params as { name: string; receiptId: string };
  const outbox = outboxOf(c);
  const open = (await outbox.openErasures()).find((e) => e.destination === name && e.receiptId === receiptId);
  if (!open || open.state === 'pending' || !(await outbox.erasureDone(name, receiptId, Date.now()))) {
    throw new HttpError(404, 'not_found', 'no failed or manual erasure propagation with that destination and receipt');
  }
  const request = JSON.parse(open.request ?? '{}') as { site?: string; userId?: string | null; anonymousIds?: string[] };
  const site = request.site ?? '*';
  const subjectHash = request.userId
    ? c.env.hashOf(site, 'user', request.userId)
    : c.env.hashOf(site, 'anonymous', request.anonymousIds?.[0] ?? '');
  await c.env.store.appendAudit({
    at: Date.now(),
    site,
    action: `erasure_propagation.${name}`,
    subjectHash,
    via: 'operator',
    outcome: 'done_by_hand',
    receiptId,
  });
  return json(200, { destination: name, receiptId, state: 'done' });
}

export const destinationRoutes: CollectorRoute[] = [
  { method: 'GET', path: '/v1/destinations', handler: list },
  { method: 'POST', path: '/v1/destinations/:name/replay', handler: replay },
  { method: 'POST', path: '/v1/destinations/:name/erasures/:receiptId/done', handler: erasureDone },
];
