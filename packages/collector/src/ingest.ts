import { Event, LIMITS, describeIssues, type RejectedEvent, validateEvent } from '@tillit/schema';
import { applyClientDefaults, mapCategoryPreferences } from './compat.js';
import { type Forwarding, forwardTo } from './destinations/route.js';
import { fieldTooDeep } from './depth.js';
import { truncateIp } from './ip.js';
import { scrubEvent } from './scrub.js';
import type { EventRow } from './store.js';

export interface IngestContext {
  site: string;
  /** Server time when the request arrived (ms). */
  receivedAt: number;
  /** The batch's `sentAt` (client clock), used to correct clock skew. */
  sentAt?: string;
  /**
   * How far back clock-skew correction may move an event (ms): the retention period. Further means a
   * broken client clock, not an old event.
   */
  maxCorrectionAgeMs: number;
  /** The client IP after the privacy policy was applied, or undefined to store none. */
  ip?: string;
  clientIp: 'drop' | 'truncate';
  /** Segment consent category (lower-case) → the purposes it grants. */
  categoryPurposes: Record<string, string[]>;
  /** RudderStack's `AnonymousId` header, for events that name no one. */
  anonymousId?: string;
  /** Sent with a site's server key: its identify links are proven, not only claimed. */
  linkProven?: boolean;
  /** The site's destinations, and what events without a consent snapshot count for: who each event is queued for. */
  forwarding?: Forwarding;
}

export interface PreparedBatch {
  rows: EventRow[];
  rejected: RejectedEvent[];
}

function messageIdOf(raw: unknown): string | null {
  const id = (raw as { messageId?: unknown } | null)?.messageId;
  return typeof id === 'string' ? id : null;
}

/**
 * The event's time on the collector's clock. The client's clock may be wrong, but the time between
 * making an event and sending it is right, so: receivedAt − (sentAt − timestamp), as Snowplow's
 * derived timestamp does. Without sentAt the client's timestamp is taken as it is.
 */
export function deriveTimestamp(timestamp: number, sentAt: number | undefined, receivedAt: number): number {
  if (sentAt === undefined || Number.isNaN(sentAt)) return timestamp;
  return receivedAt - (sentAt - timestamp);
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Why an event's (corrected) time is not plausible, or null when it is. */
function timeOutOfWindow(time: number, corrected: boolean, ctx: IngestContext): string | null {
  if (time > ctx.receivedAt + LIMITS.maxFutureSkewMs) {
    return `lies ${Math.round((time - ctx.receivedAt) / 1000)} s in the future after clock-skew correction`;
  }
  // A sentAt far from the timestamp (year 2100, year 0) would move the event by decades: refuse it.
  if (corrected && (!Number.isFinite(time) || time < ctx.receivedAt - ctx.maxCorrectionAgeMs)) {
    const days = Math.round(ctx.maxCorrectionAgeMs / DAY_MS);
    return `minus sentAt would place the event more than ${days} days (the retention period) before it was received: check the client's clock`;
  }
  return null;
}

/**
 * The event as the schema accepts it, or zod's reasons for refusing it. The compiled check answers as
 * zod does (test/fuzz/compiled-check.test.ts) at a fraction of the cost; a refusal is rare, so zod,
 * the schema itself, names its reasons (and would have the last word if the two ever disagreed).
 */
function checkEvent(raw: unknown): Event | string {
  const event = validateEvent(raw);
  if (event) return event;
  const parsed = Event.safeParse(raw);
  return parsed.success ? parsed.data : describeIssues(parsed.error);
}

/** Validates every event on its own, so one bad event is rejected by index and the others are kept. */
export function prepareBatch(batch: unknown[], ctx: IngestContext): PreparedBatch {
  const rows: EventRow[] = [];
  const rejected: RejectedEvent[] = [];
  const batchSentAt = ctx.sentAt ? Date.parse(ctx.sentAt) : undefined;
  const receivedAtIso = new Date(ctx.receivedAt).toISOString();

  for (let index = 0; index < batch.length; index++) {
    const raw = batch[index];
    applyClientDefaults(raw, { receivedAt: receivedAtIso, anonymousId: ctx.anonymousId });
    const checked = checkEvent(raw);
    if (typeof checked === 'string') {
      rejected.push({ index, messageId: messageIdOf(raw), reason: checked });
      continue;
    }
    // The event is the request body's own parsed object (or zod's copy): changed in place, not copied
    // again; the assignments keep the key order of `{ ...event, context, timestamp, … }`.
    const event: Record<string, unknown> & Event = checked;
    const timestamp = event.timestamp;
    const deep = fieldTooDeep(event, LIMITS.maxEventDepth);
    if (deep) {
      const reason = `${deep}: nests deeper than ${LIMITS.maxEventDepth} levels (the event is level 1), the limit for an event: flatten it`;
      rejected.push({ index, messageId: event.messageId, reason });
      continue;
    }

    const clientTime = Date.parse(timestamp);
    const sentAt = event.sentAt ? Date.parse(event.sentAt) : batchSentAt;
    const time = deriveTimestamp(clientTime, sentAt, ctx.receivedAt);
    const corrected = sentAt !== undefined && !Number.isNaN(sentAt);
    const outOfWindow = timeOutOfWindow(time, corrected, ctx);
    if (outOfWindow) {
      rejected.push({ index, messageId: event.messageId, reason: `timestamp: ${timestamp} ${outOfWindow}` });
      continue;
    }

    const context = event.context ?? {};
    scrubEvent(event, context);
    mapCategoryPreferences(context.consent, ctx.categoryPurposes);
    const destinations = ctx.forwarding && forwardTo(ctx.forwarding, context.consent?.purposes);
    const ip = ctx.clientIp === 'drop' ? undefined : (truncateIp(context.ip) ?? ctx.ip);
    if (ip) context.ip = ip;
    else if (context.ip !== undefined) delete context.ip;
    event.context = context;
    event.timestamp = new Date(time).toISOString();
    event.originalTimestamp = timestamp;
    event.sentAt = event.sentAt ?? ctx.sentAt;
    event.receivedAt = receivedAtIso;

    const payload = JSON.stringify(event);
    // UTF-8 takes at most 3 bytes per UTF-16 unit: most events need no byte count.
    const bytes = payload.length * 3 <= LIMITS.maxEventBytes ? 0 : Buffer.byteLength(payload);
    if (bytes > LIMITS.maxEventBytes) {
      rejected.push({
        index,
        messageId: event.messageId,
        reason: `event is ${bytes} bytes, over the ${LIMITS.maxEventBytes}-byte limit`,
      });
      continue;
    }
    rows.push({
      messageId: event.messageId,
      site: ctx.site,
      type: event.type,
      event: event.event ?? event.name ?? null,
      anonymousId: event.anonymousId ?? null,
      userId: event.userId ?? null,
      timestamp: time,
      receivedAt: ctx.receivedAt,
      payload,
      linkProven: ctx.linkProven === true,
      ...(destinations ? { destinations } : {}),
    });
  }
  return { rows, rejected };
}
