/** Segment's and RudderStack's ingest routes, as their clients call them (the body forms: ../compat.ts). */
import type { CollectorRoute } from '../deps.js';
import { json } from '../http.js';
import { BATCH_ROUTE_ALIASES, SINGLE_EVENT_ROUTES, singleEventAnswer, singleEventEnvelope } from '../compat.js';
import { batch, ingestEvents } from './ingest.js';

export const compatRoutes: CollectorRoute[] = [
  ...BATCH_ROUTE_ALIASES.map((path): CollectorRoute => ({ method: 'POST', path, handler: batch })),
  ...Object.entries(SINGLE_EVENT_ROUTES).map(
    ([path, type]): CollectorRoute => ({
      method: 'POST',
      path,
      handler: async (c) => json(200, singleEventAnswer(await ingestEvents(c, (body) => singleEventEnvelope(body, path, type)))),
    }),
  ),
];
