import type { openChunk } from './chunk.js';
import { createTillit as start } from './tillit.js';
import type { Tillit, TillitConfig } from './types.js';

/**
 * Creates the SDK and starts it: reads the stored decision, listens for page lifecycle and
 * other tabs. Writes nothing and sends nothing until the visitor decides. The privacy client is a
 * separate chunk, imported on the first `tillit.privacy.*` call.
 *
 * @example
 * const tillit = createTillit({ collectorUrl: 'https://c.example.com', writeKey: 'wk', policyVersion: '2026-11' });
 * tillit.track('Product Viewed', { sku: 'A1' }); // held in memory until the visitor decides
 */
export const createTillit = (config: TillitConfig): Tillit =>
  start(config, (): Promise<typeof openChunk> => import('./chunk.js').then((m) => m.openChunk));
/** The time-ordered message ids the SDK sends, for server-side senders that want the same ordering. */
export { uuidv7 } from './ids.js';
/** The URL cleaning the SDK applies to every URL it stores, for senders that want the same. */
export { campaignOf, DEFAULT_URL_DENYLIST, sanitizeUrl } from './url.js';
export type * from './types.js';
