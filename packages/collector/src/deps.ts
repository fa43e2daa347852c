import type { SubjectKind } from '@tillit/schema';
import type { CollectorConfig } from './config.js';
import type { ErasureLedger } from './erasure-ledger.js';
import type { IdentityCookies } from './identity-cookie.js';
import type { LiveEvents } from './live-events.js';
import type { OutboxWorker } from './destinations/worker.js';
import type { CollectorMetrics } from './metrics.js';
import type { Context, Route } from './router.js';
import type { StorageHealth } from './storage-guard.js';
import type { Store } from './store.js';
import type { SubjectAuth } from './subject-auth.js';
import type { SuppressionList } from './suppression.js';

/**
 * What the route modules share, made once by `createCollector` and passed to each module explicitly
 * (rather than captured from one big closure).
 */
export interface CollectorDeps {
  config: CollectorConfig;
  /** The store, with every failure turned into 503 + Retry-After (storage-guard.ts). */
  store: Store;
  /** The last storage failure, for readiness. */
  storageHealth: StorageHealth;
  /** The collector's secret key (keyed hashes, portal tokens). */
  serverKey: string;
  /** The keyed hash of a subject id: what remains after erasure. */
  hashOf: (site: string, kind: SubjectKind, id: string) => string;
  /** Erased ids, held in memory: ingest drops their late events. */
  suppression: SuppressionList;
  /** Every erasure's hashes, outside the database: re-applied at start after a restore (erasure-ledger.ts). */
  ledger: ErasureLedger;
  /** Credentials of the data-subject and operator routes, with their one failure limit. */
  auth: SubjectAuth;
  /** Signs and reads the identity cookie (routes/identity-cookie.ts). */
  identityCookies: IdentityCookies;
  /** This collector's Prometheus metrics (its own registry). */
  metrics: CollectorMetrics;
  /** The last events received, in memory, for the dashboard's live view. */
  live: LiveEvents;
  /** Delivers the destinations' outbox (ingest nudges it). */
  outbox: OutboxWorker;
}

/** A collector route: its handler reads the shared state as `c.env`. A route module exports an array of these. */
export type CollectorRoute = Route<CollectorDeps>;
export type CollectorContext = Context<CollectorDeps>;
