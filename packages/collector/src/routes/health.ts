import { json } from '../http.js';
import type { CollectorRoute } from '../deps.js';

// Defined by the build; absent when the sources run unbundled (Playwright's loader).
const VERSION = typeof __TILLIT_VERSION__ === 'string' ? __TILLIT_VERSION__ : '0.0.0-dev';

/** Liveness: the process answers HTTP. */
export const healthRoutes: CollectorRoute[] = [
  { method: 'GET', path: '/healthz', handler: () => json(200, { status: 'ok', version: VERSION }) },
];
