import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { CollectorConfig } from '../config.js';
import type { Store, SubjectRef } from '../store.js';
import type { Destination } from './destination.js';
import { ga4Destination } from './ga4.js';
import { destinationMetrics } from './metrics.js';
import { webhookDestination } from './webhook.js';
import { OutboxWorker } from './worker.js';

/** Every configured destination of every site, made into its sender. */
export function createDestinations(config: CollectorConfig, now: () => number): Destination[] {
  return config.sites.flatMap((site) =>
    site.destinations.map((d) =>
      d.type === 'webhook' ? webhookDestination(d, site.name, now) : ga4Destination(d, site.name, now),
    ),
  );
}

export interface OutboxDeps {
  config: CollectorConfig;
  /** The guarded store (audit, processing limits) and the raw one's outbox. */
  store: Store;
  hashOf: (site: string, kind: SubjectRef['kind'], id: string) => string;
  registry: Registry;
  log: Logger;
  now: () => number;
  random: () => number;
}

/** The outbox worker of this collector process, with its metrics; it runs once `start()` is called. */
export function createOutboxWorker(deps: OutboxDeps): OutboxWorker {
  const { config, store, now } = deps;
  const destinations = createDestinations(config, now);
  const outbox = store.outbox;
  if (destinations.length > 0 && !outbox) {
    throw new Error('[tillit-collector] this store keeps no outbox, so destinations cannot be used with it');
  }
  const metrics = destinationMetrics(deps.registry, outbox, now);
  return new OutboxWorker({
    outbox: outbox!,
    destinations: outbox ? destinations : [],
    config: config.outbox,
    now,
    random: deps.random,
    listProcessingLimits: (site) => store.listProcessingLimits(site),
    hashOf: deps.hashOf,
    appendAudit: (row) => store.appendAudit(row),
    settled: metrics.settled,
    failed: (destination, error) => deps.log.error({ destination, errorType: (error as Error)?.name }, 'outbox delivery failed'),
  });
}
