import type { Ga4Destination } from './config.js';
import { type Delivery, type Destination, type ErasureRequest, type OutboundEvent, post } from './destination.js';

/** Measurement Protocol limits: 25 events per request, 25 params per event, names of 40 characters, values of 100. */
const MAX_EVENTS = 25;
const MAX_PARAMS = 25;

/** GA4 event and parameter names: letters, digits and underscores, starting with a letter, at most 40 characters. */
export function ga4Name(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9_]+/g, '_').replace(/^[^A-Za-z]+/, '');
  return (cleaned || 'event').slice(0, 40);
}

/** A Segment-spec event as a GA4 event, or null for the types GA4 has no event for (identify, group, alias). */
export function toGa4Event(event: OutboundEvent): { name: string; params: Record<string, string | number | boolean> } | null {
  const p = event.payload as {
    type?: string;
    event?: string;
    name?: string;
    properties?: Record<string, unknown>;
    context?: any;
  };
  const params: Record<string, string | number | boolean> = { tillit_message_id: event.messageId };
  let name: string;
  if (p.type === 'track' && p.event) name = ga4Name(p.event);
  else if (p.type === 'page') {
    name = 'page_view';
    const page = p.context?.page ?? {};
    if (typeof page.url === 'string') params.page_location = page.url.slice(0, 1000);
    if (typeof page.title === 'string') params.page_title = page.title.slice(0, 100);
  } else if (p.type === 'screen') name = 'screen_view';
  else return null;
  for (const [key, value] of Object.entries(p.properties ?? {})) {
    if (Object.keys(params).length >= MAX_PARAMS) break;
    if (typeof value === 'number' || typeof value === 'boolean') params[ga4Name(key)] = value;
    else if (typeof value === 'string') params[ga4Name(key)] = value.slice(0, 100);
  }
  return { name, params };
}

/**
 * Google Analytics 4 through the Measurement Protocol: events grouped by client id (the anonymous id),
 * 25 a request. GA4 has no idempotency key, so a retried batch may count twice there; each event carries
 * `tillit_message_id` for a report to dedupe on.
 */
export function ga4Destination(config: Ga4Destination, site: string, now: () => number): Destination {
  const url = `${config.endpoint}?measurement_id=${encodeURIComponent(config.measurementId)}&api_secret=${encodeURIComponent(config.apiSecret)}`;
  return {
    config,
    site,
    async send(events: OutboundEvent[], signal: AbortSignal): Promise<Delivery> {
      const byClient = new Map<
        string,
        { userId: string | null; events: { event: OutboundEvent; ga: NonNullable<ReturnType<typeof toGa4Event>> }[] }
      >();
      for (const event of events) {
        const ga = toGa4Event(event);
        const clientId = event.anonymousId ?? event.userId;
        if (!ga || !clientId) continue;
        const group = byClient.get(clientId) ?? { userId: event.userId, events: [] };
        group.events.push({ event, ga });
        byClient.set(clientId, group);
      }
      for (const [clientId, group] of byClient) {
        for (let i = 0; i < group.events.length; i += MAX_EVENTS) {
          const chunk = group.events.slice(i, i + MAX_EVENTS);
          const body = JSON.stringify({
            client_id: clientId,
            ...(group.userId ? { user_id: group.userId } : {}),
            timestamp_micros: Date.parse(String(chunk[0]!.event.payload.timestamp)) * 1000,
            events: chunk.map((c) => c.ga),
          });
          const delivery = await post(url, body, {}, signal, now);
          if (!delivery.ok) return delivery;
        }
      }
      return { ok: true };
    },
    async erase(request: ErasureRequest, signal: AbortSignal): Promise<Delivery> {
      const deletion = config.userDeletion;
      if (!deletion) {
        return {
          ok: true,
          manual: `delete the user in GA4 property of ${config.measurementId} by hand (no userDeletion configured)`,
        };
      }
      const ids = [
        ...request.anonymousIds.map((userId) => ({ type: 'CLIENT_ID', userId })),
        ...(request.userId ? [{ type: 'USER_ID', userId: request.userId }] : []),
      ];
      for (const id of ids) {
        const body = JSON.stringify({ kind: 'analytics#userDeletionRequest', id, propertyId: deletion.propertyId });
        const delivery = await post(deletion.endpoint, body, { Authorization: `Bearer ${deletion.accessToken}` }, signal, now);
        if (!delivery.ok) return delivery;
      }
      return { ok: true };
    },
  };
}
