/**
 * What Segment's and RudderStack's clients send, brought to Tillit's batch form, so that a site can
 * switch by changing a host name: their routes, their body forms and the consent object of Segment.
 */
import type { BatchResponse, ConsentSnapshot, EventType } from '@tillit/schema';
import { LIMITS } from '@tillit/schema';
import { HttpError } from './http.js';

/** Segment's single-event routes (RudderStack v3 uses the same) and analytics.js's short forms. */
export const SINGLE_EVENT_ROUTES: Readonly<Record<string, EventType>> = {
  '/v1/track': 'track',
  '/v1/page': 'page',
  '/v1/screen': 'screen',
  '/v1/identify': 'identify',
  '/v1/group': 'group',
  '/v1/alias': 'alias',
  '/v1/t': 'track',
  '/v1/p': 'page',
  '/v1/s': 'screen',
  '/v1/i': 'identify',
  '/v1/g': 'group',
  '/v1/a': 'alias',
};

/**
 * Request headers that Segment's and RudderStack's browser clients send, for the CORS preflight:
 * analytics.js sends Authorization and X-Retry-Count; RudderStack v3 the anonymous id, the time it
 * sent the request and, on retries, its Rsa-* attempt headers.
 */
export const CLIENT_REQUEST_HEADERS = [
  'Authorization',
  'X-Retry-Count',
  'AnonymousId',
  'SentAt',
  'Rsa-Recovered',
  'Rsa-Retry-Attempt',
  'Rsa-Retry-Reason',
  'Rsa-Since-First-Attempt',
  'Rsa-Since-Last-Attempt',
];

/** Routes that take the body of `/v1/batch`: analytics.js's batching and RudderStack's `sendBeacon` delivery. */
export const BATCH_ROUTE_ALIASES = ['/v1/b', '/beacon/v1/batch'] as const;

type JsonObject = Record<string, unknown>;
const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/** One event sent to a single-event route, as a batch of one: the route names the type, the write key is the envelope's. */
export function singleEventEnvelope(body: unknown, path: string, type: EventType): JsonObject {
  if (!isObject(body)) throw new HttpError(400, 'bad_request', `the body of ${path} must be one event as a JSON object`);
  const { writeKey, ...event } = body;
  event.type ??= type;
  if (event.type !== type) {
    throw new HttpError(400, 'bad_request', `type: "${String(event.type)}" does not match ${path}, which takes ${type} events`);
  }
  return { batch: [event], sentAt: event.sentAt, writeKey };
}

/** Segment answers `{"success": true}` on its single-event routes; a rejected event gets its reason. */
export function singleEventAnswer(answer: BatchResponse): { success: true } {
  const rejected = answer.rejected[0];
  if (rejected)
    throw new HttpError(400, 'bad_request', `the event was rejected: ${rejected.reason}`, { messageId: rejected.messageId });
  return { success: true };
}

/** RudderStack sends the anonymous id base64-encoded in an `AnonymousId` header too (for ordering at its server). */
export function anonymousIdHeader(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const id = Buffer.from(header, 'base64').toString('utf8');
  return id && id.length <= LIMITS.maxIdLength ? id : undefined;
}

export interface ClientDefaults {
  /** ISO time the request arrived: Segment's HTTP API takes it for an event without a time. */
  receivedAt: string;
  /** From RudderStack's `AnonymousId` header, for an event that names no one. */
  anonymousId?: string;
}

/**
 * Fills in place what other clients leave out before an event is checked: RudderStack sends only
 * `originalTimestamp`, and analytics.js repeats the write key in every event of a batch (it
 * authenticates the request and is not stored with the event). Numeric ids, which Segment's HTTP API
 * takes, become their strings.
 */
export function applyClientDefaults(raw: unknown, defaults: ClientDefaults): void {
  if (!isObject(raw)) return;
  if ('writeKey' in raw) delete raw.writeKey;
  for (const key of ['userId', 'anonymousId'] as const) {
    if (typeof raw[key] === 'number' && Number.isFinite(raw[key])) raw[key] = String(raw[key]);
  }
  raw.timestamp ??= typeof raw.originalTimestamp === 'string' ? raw.originalTimestamp : defaults.receivedAt;
  if (defaults.anonymousId && raw.anonymousId == null && raw.userId == null) raw.anonymousId = defaults.anonymousId;
}

/**
 * Adds the purposes of the granted Segment categories to the event's own (a union), by the configured
 * table (lower-case category → purposes); `categoryPreferences` itself stays as sent.
 */
export function mapCategoryPreferences(consent: ConsentSnapshot | undefined, table: Record<string, string[]>): void {
  const preferences = consent?.categoryPreferences;
  if (!consent || !preferences) return;
  const purposes = new Set(consent.purposes);
  for (const [category, granted] of Object.entries(preferences)) {
    if (granted) for (const purpose of table[category.toLowerCase()] ?? []) purposes.add(purpose);
  }
  consent.purposes = [...purposes];
}
