import type { CollectorRoute } from '../deps.js';
import { HttpError, json } from '../http.js';
import { STORAGE_RETRY_SECONDS, storageUnavailable } from '../storage-guard.js';

// Defined by the build; absent when the sources run unbundled (Playwright's loader).
const VERSION = typeof __TILLIT_VERSION__ === 'string' ? __TILLIT_VERSION__ : '0.0.0-dev';

export const healthRoutes: CollectorRoute[] = [
  /** Liveness: the process answers HTTP (restart it when this fails). */
  { method: 'GET', path: '/healthz', handler: () => json(200, { status: 'ok', version: VERSION }) },
  /**
   * Readiness: the store answers, its schema has every migration this code needs, and no store call
   * failed in the last few seconds (send no traffic here while this fails). The store guard records a
   * failed ping as the latest failure, which the answer names.
   */
  {
    method: 'GET',
    path: '/readyz',
    handler: async ({ env }) => {
      try {
        await env.store.ping();
      } catch (error) {
        if (!(error instanceof HttpError)) throw error;
      }
      const failure = env.storageHealth.recentFailure();
      if (!failure) return json(200, { status: 'ready', version: VERSION });
      const { headers } = storageUnavailable();
      return json(
        503,
        { error: 'unavailable', reason: `a store call failed less than ${STORAGE_RETRY_SECONDS} s ago: ${failure}` },
        headers,
      );
    },
  },
];
