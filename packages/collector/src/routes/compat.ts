/** Segment's and RudderStack's ingest routes, as their clients call them (the body forms: ../compat.ts). */
import type { CollectorRoute } from '../deps.js';
import { json } from '../http.js';
import { BATCH_ROUTE_ALIASES, SINGLE_EVENT_ROUTES, singleEventAnswer, singleEventEnvelope } from '../compat.js';
import { batch, ingestEvents, siteOf } from './ingest.js';

/**
 * RudderStack v3's source config, so that `configUrl` can name the collector too: no destinations (the
 * collector forwards nothing) and no error or metrics reports to RudderStack.
 */
const sourceConfig: CollectorRoute['handler'] = (c) => {
  const { name } = siteOf(c, undefined).site;
  const config = { statsCollection: { errors: { enabled: false }, metrics: { enabled: false } } };
  return json(200, { source: { id: name, name, workspaceId: 'tillit', enabled: true, config, destinations: [] } });
};

export const compatRoutes: CollectorRoute[] = [
  // RudderStack asks for `${configUrl}/sourceConfig/` (it adds the path unless configUrl ends in /sourceConfig).
  { method: 'GET', path: '/sourceConfig/', handler: sourceConfig },
  { method: 'GET', path: '/sourceConfig', handler: sourceConfig },
  ...BATCH_ROUTE_ALIASES.map((path): CollectorRoute => ({ method: 'POST', path, handler: batch })),
  ...Object.entries(SINGLE_EVENT_ROUTES).map(
    ([path, type]): CollectorRoute => ({
      method: 'POST',
      path,
      handler: async (c) => json(200, singleEventAnswer(await ingestEvents(c, (body) => singleEventEnvelope(body, path, type)))),
    }),
  ),
];
