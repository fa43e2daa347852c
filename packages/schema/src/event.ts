import { z } from 'zod';
import { LIMITS, PURPOSE_PATTERN } from './limits.js';

/** An ISO 8601 date-time with a zone (`Z` or an offset), as `Date#toISOString()` writes it. */
export const IsoDateTime = z.iso.datetime({ offset: true });

const Id = z.string().min(1).max(LIMITS.maxIdLength);
const JsonObject = z.record(z.string(), z.unknown());

export const Purpose = z.string().regex(PURPOSE_PATTERN, 'must be a lower-case purpose name like "analytics"');

/**
 * What the visitor had granted when the event was made. Segment's clients send
 * `categoryPreferences` (category name → granted) instead; the collector maps those categories to
 * purposes and keeps the object as sent. Other keys are kept as sent.
 */
export const ConsentSnapshot = z.looseObject({
  purposes: z.array(Purpose).max(32).default([]),
  policyVersion: z.string().min(1).max(64).optional(),
  categoryPreferences: z.record(z.string().max(128), z.boolean()).optional(),
});

export const EventContext = z.looseObject({
  consent: ConsentSnapshot.optional(),
  page: z
    .looseObject({
      url: z.string().max(4096).optional(),
      path: z.string().max(4096).optional(),
      title: z.string().max(1024).optional(),
      referrer: z.string().max(4096).optional(),
      search: z.string().max(4096).optional(),
    })
    .optional(),
  campaign: z.record(z.string(), z.string().max(512)).optional(),
  locale: z.string().max(64).optional(),
  library: z.looseObject({ name: z.string().max(64), version: z.string().max(64) }).optional(),
  ip: z.string().max(64).optional(),
  userAgent: z.string().max(1024).optional(),
});

export const EventType = z.enum(['track', 'page', 'identify', 'screen', 'group', 'alias']);

/**
 * One event, with Segment-spec field names so that Segment and RudderStack clients can send to
 * the collector. Unknown top-level fields (`integrations`, `_metadata`, …) are kept as sent.
 */
export const Event = z
  .looseObject({
    type: EventType,
    messageId: Id,
    anonymousId: Id.nullish(),
    userId: Id.nullish(),
    event: z.string().min(1).max(LIMITS.maxNameLength).optional(),
    name: z.string().max(LIMITS.maxNameLength).optional(),
    properties: JsonObject.optional(),
    traits: JsonObject.optional(),
    context: EventContext.optional(),
    timestamp: IsoDateTime,
    sentAt: IsoDateTime.optional(),
  })
  .superRefine((event, ctx) => {
    if (!event.anonymousId && !event.userId) {
      ctx.addIssue({ code: 'custom', path: ['anonymousId'], message: 'either anonymousId or userId is required' });
    }
    if (event.type === 'track' && !event.event) {
      ctx.addIssue({ code: 'custom', path: ['event'], message: 'a track event needs an event name' });
    }
  });

/**
 * The envelope of `POST /v1/batch`. Events are validated one by one at the collector so that one bad
 * event is rejected by index and the others are stored; the envelope only checks the shape.
 */
export const BatchEnvelope = z.looseObject({
  batch: z.array(z.unknown()),
  sentAt: IsoDateTime.optional(),
  writeKey: z.string().min(1).max(256).optional(),
});

export type Event = z.infer<typeof Event>;
export type EventType = z.infer<typeof EventType>;
export type EventContext = z.infer<typeof EventContext>;
export type ConsentSnapshot = z.infer<typeof ConsentSnapshot>;
export type BatchEnvelope = z.infer<typeof BatchEnvelope>;
/** A batch as a client sends it. */
export interface Batch {
  batch: Event[];
  sentAt: string;
  writeKey?: string;
}
