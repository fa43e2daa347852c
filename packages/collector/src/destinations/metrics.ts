import { Counter, Gauge, type Registry } from 'prom-client';
import type { OutboxStore, Settlement } from './outbox-store.js';

/**
 * The outbox's Prometheus metrics, on the collector's registry: depth, oldest age, failing and dead rows per
 * destination (read from the store at each scrape, so every collector on one PostgreSQL reports the same),
 * and this process's deliveries by outcome. Labels are configured destination names, never ids.
 */
export function destinationMetrics(registry: Registry, outbox: OutboxStore | undefined, now: () => number) {
  const deliveries = new Counter({
    name: 'tillit_destination_deliveries_total',
    help: 'Outbox rows settled by this collector, by destination, kind (event, erasure) and outcome (sent, pending = retry, dead, withheld, manual, gone)',
    labelNames: ['destination', 'kind', 'outcome'],
    registers: [registry],
  });
  const gauge = (name: string, help: string, read: (c: Awaited<ReturnType<OutboxStore['counts']>>[number]) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['destination'],
      registers: [registry],
      async collect() {
        // A store that fails now (an outage) must not fail the scrape: the gauges keep their last values,
        // and tillit_store_errors_total tells the outage.
        const counts = await outbox?.counts().catch(() => undefined);
        if (!counts && outbox) return;
        this.reset();
        for (const c of counts ?? []) this.set({ destination: c.destination }, read(c));
      },
    });
  gauge('tillit_destination_outbox_depth', 'Events waiting for delivery (retries included)', (c) => Number(c.pending));
  gauge('tillit_destination_outbox_oldest_age_seconds', 'Age of the oldest row waiting for delivery', (c) =>
    c.oldestQueuedAt === null ? 0 : Math.max(0, (now() - Number(c.oldestQueuedAt)) / 1000),
  );
  gauge('tillit_destination_failing', 'Rows waiting for a retry after a failed attempt', (c) => Number(c.failing));
  gauge('tillit_destination_dead_letters', 'Dead letters (replay: tillit-collector destinations replay --name)', (c) =>
    Number(c.dead),
  );
  gauge(
    'tillit_destination_erasures_open',
    'Erasure propagations not delivered (pending, dead, manual)',
    (c) => Number(c.erasuresPending) + Number(c.erasuresDead) + Number(c.erasuresManual),
  );
  return {
    settled(destination: string, kind: string, outcome: Settlement['state']): void {
      deliveries.inc({ destination, kind, outcome });
    },
  };
}
