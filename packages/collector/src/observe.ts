/**
 * What the collector tells its operator: a JSON log line per request (pino) and Prometheus metrics.
 * Log lines carry a request id, the method, the route pattern, the status and the duration: never the
 * raw path (ids), the query, headers, addresses or bodies, so no log line identifies a person.
 */
import { randomUUID } from 'node:crypto';
import { type DestinationStream, type Logger, pino } from 'pino';
import type { CollectorConfig } from './config.js';
import type { CollectorContext, CollectorRoute } from './deps.js';
import { CollectorMetrics } from './metrics.js';
import type { Answered } from './router.js';
import { StorageHealth } from './storage-guard.js';
import type { Store } from './store.js';

function createLogger(level: CollectorConfig['logLevel'], destination?: DestinationStream): Logger {
  return pino({ level, base: { service: 'tillit-collector' } }, destination ?? pino.destination(1));
}

/** The router's `onReply`: the access log line, the request id header and the request metrics. */
export function observeReplies(log: Logger, metrics: CollectorMetrics): (answered: Answered) => void {
  return ({ req, route, reply, seconds, unexpected }) => {
    const requestId = randomUUID();
    reply.headers['X-Request-Id'] = requestId;
    metrics.request(req.method, route, reply.status, seconds);
    const line = { requestId, method: req.method, route, status: reply.status, ms: Math.round(seconds * 1000) };
    if (unexpected !== undefined) {
      // The stack says where; the message of a store or library error may quote input, so it stays out.
      const stack = unexpected instanceof Error ? unexpected.stack?.split('\n').slice(1).join('\n') : undefined;
      log.error({ ...line, errorType: (unexpected as Error)?.name, stack }, 'unexpected error');
    } else if (reply.status >= 500) log.warn(line, 'request failed');
    else log.info(line, 'request');
  };
}

/** A collector's log, metrics, and storage health that logs and counts each store failure. */
export function observability(config: CollectorConfig, store: Pick<Store, 'kind'>, destination?: DestinationStream) {
  const log = createLogger(config.logLevel, destination);
  const metrics = new CollectorMetrics(config);
  // The store in use, not the one the config names: a collector may be given another (tests, embedding).
  const storeKind = store.kind;
  const storageHealth = new StorageHealth(Date.now, (message) => {
    metrics.storeFailed(storeKind);
    log.error({ store: storeKind, message }, 'store failed');
  });
  return { log, metrics, storageHealth };
}

/** `GET /metrics`: Prometheus text, for the operator token only (off when none is configured). */
export const metricsRoutes: CollectorRoute[] = [
  {
    method: 'GET',
    path: '/metrics',
    handler: async (c: CollectorContext) => {
      await c.env.auth.requireOperator(c);
      const { registry } = c.env.metrics;
      const text = await registry.metrics();
      return {
        status: 200,
        headers: { 'Content-Type': registry.contentType, 'Cache-Control': 'no-store' },
        body: text,
      };
    },
  },
];
