/**
 * The collector's Prometheus metrics (prom-client), one registry per collector: tests run many
 * collectors in one process, and the global registry would mix their counts. Labels are bounded
 * (route patterns, reason classes, configured purposes), never ids or raw paths.
 */
import type { RejectedEvent } from '@tillit/schema';
import { Counter, Histogram, Registry } from 'prom-client';
import type { CollectorConfig } from './config.js';

/** Data-subject routes (method + route pattern) and the kind of request each answers. */
const SUBJECT_REQUEST_KINDS: Record<string, string> = {
  'GET /v1/subjects/:id': 'access',
  'GET /v1/subjects/:id/export': 'export',
  'DELETE /v1/subjects/:id': 'erasure',
  'POST /v1/subjects/:id/token': 'portal_token',
  'POST /v1/admin/requests': 'offline_recorded',
  'PATCH /v1/admin/requests/:receiptId': 'offline_updated',
};

export class CollectorMetrics {
  readonly registry = new Registry();
  private readonly purposes: Set<string>;
  private readonly events = new Counter({
    name: 'tillit_events_total',
    help: 'Events received, by outcome (accepted, duplicate, rejected) and, for rejected ones, the reason class',
    labelNames: ['outcome', 'reason'],
    registers: [this.registry],
  });
  private readonly latency = new Histogram({
    name: 'tillit_http_request_duration_seconds',
    help: 'Time to answer a request, by method, route pattern and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  private readonly batchSizes = new Histogram({
    name: 'tillit_ingest_batch_events',
    help: 'Events per stored batch request (what each request hands to the group commit)',
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
    registers: [this.registry],
  });
  private readonly groupCommits = new Histogram({
    name: 'tillit_store_commit_group_events',
    help: 'Events per group commit: the rows of concurrent requests committed in one transaction',
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000],
    registers: [this.registry],
  });
  private readonly storeErrors = new Counter({
    name: 'tillit_store_errors_total',
    help: 'Store calls that failed (each answered 503 + Retry-After), by store (sqlite, postgres)',
    labelNames: ['store'],
    registers: [this.registry],
  });
  private readonly subjectRequests = new Counter({
    name: 'tillit_subject_requests_total',
    help: 'Data-subject requests by kind and outcome (ok, denied, not_found, invalid, failed)',
    labelNames: ['kind', 'outcome'],
    registers: [this.registry],
  });
  private readonly consentDecisions = new Counter({
    name: 'tillit_consent_decisions_total',
    help: 'Stored consent decisions by purpose (configured ones; "other" for the rest) and outcome',
    labelNames: ['purpose', 'outcome'],
    registers: [this.registry],
  });

  constructor(config: Pick<CollectorConfig, 'register' | 'categoryPurposes'>) {
    this.purposes = new Set([
      ...config.register.purposes.map((p) => p.purpose),
      ...Object.values(config.categoryPurposes).flat(),
    ]);
  }

  /** A request answered: its route pattern (null when none matched) and status. */
  request(method: string, route: string | null, status: number, seconds: number): void {
    this.latency.observe({ method, route: route ?? 'unmatched', status: String(status) }, seconds);
    const kind = route && SUBJECT_REQUEST_KINDS[`${method} ${route}`];
    if (kind) this.subjectRequests.inc({ kind, outcome: outcomeOf(status) });
  }

  /** A batch stored: its outcome, and how many rows it handed to the store (the group commit). */
  ingested(result: { accepted: number; duplicates: number; rejected: readonly RejectedEvent[] }, stored: number): void {
    this.events.inc({ outcome: 'accepted', reason: '' }, result.accepted);
    this.events.inc({ outcome: 'duplicate', reason: '' }, result.duplicates);
    for (const { reason } of result.rejected) this.events.inc({ outcome: 'rejected', reason: reasonClass(reason) });
    if (stored > 0) this.batchSizes.observe(stored);
  }

  groupCommitted(events: number): void {
    this.groupCommits.observe(events);
  }

  storeFailed(store: string): void {
    this.storeErrors.inc({ store });
  }

  consent(purposes: Record<string, boolean>): void {
    for (const [purpose, granted] of Object.entries(purposes)) {
      const label = this.purposes.has(purpose) ? purpose : 'other';
      this.consentDecisions.inc({ purpose: label, outcome: granted ? 'granted' : 'denied' });
    }
  }
}

function outcomeOf(status: number): string {
  if (status < 400) return 'ok';
  if (status === 401 || status === 403 || status === 429) return 'denied';
  // The subject routes answer an unknown id and a wrong credential alike (no oracle).
  if (status === 404) return 'not_found';
  return status < 500 ? 'invalid' : 'failed';
}

/** A bounded label for a rejection reason: the reasons themselves (ingest.ts) are sentences with values. */
export function reasonClass(reason: string): string {
  if (reason.startsWith('timestamp:')) return 'timestamp';
  if (reason.includes('nests too deeply')) return 'too_deep';
  if (reason.includes('-byte limit')) return 'too_large';
  return 'invalid';
}
