import { Event, LIMITS, describeIssues, type RejectedEvent } from '@tillit/schema';
import { truncateIp } from './ip.js';
import type { EventRow } from './store.js';

export interface IngestContext {
  site: string;
  /** Server time when the request arrived (ms). */
  receivedAt: number;
  /** The batch's `sentAt` (client clock), used to correct clock skew. */
  sentAt?: string;
  /** The client IP after the privacy policy was applied, or undefined to store none. */
  ip?: string;
  clientIp: 'drop' | 'truncate';
}

export interface PreparedBatch {
  rows: EventRow[];
  /** Index in the batch of each row. */
  indexes: number[];
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

/** Validates every event on its own, so one bad event is rejected by index and the others are kept. */
export function prepareBatch(batch: unknown[], ctx: IngestContext): PreparedBatch {
  const rows: EventRow[] = [];
  const indexes: number[] = [];
  const rejected: RejectedEvent[] = [];
  const batchSentAt = ctx.sentAt ? Date.parse(ctx.sentAt) : undefined;

  for (const [index, raw] of batch.entries()) {
    const reject = (reason: string) => {
      rejected.push({ index, messageId: messageIdOf(raw), reason });
    };
    const parsed = Event.safeParse(raw);
    if (!parsed.success) {
      reject(describeIssues(parsed.error));
      continue;
    }
    const event = parsed.data;

    const clientTime = Date.parse(event.timestamp);
    const sentAt = event.sentAt ? Date.parse(event.sentAt) : batchSentAt;
    const time = deriveTimestamp(clientTime, sentAt, ctx.receivedAt);
    if (time > ctx.receivedAt + LIMITS.maxFutureSkewMs) {
      reject(
        `timestamp: ${event.timestamp} lies ${Math.round((time - ctx.receivedAt) / 1000)} s in the future after clock-skew correction`,
      );
      continue;
    }

    const context = { ...event.context };
    const ip = ctx.clientIp === 'drop' ? undefined : (truncateIp(context.ip) ?? ctx.ip);
    if (ip) context.ip = ip;
    else delete context.ip;

    const stored = {
      ...event,
      context,
      timestamp: new Date(time).toISOString(),
      originalTimestamp: event.timestamp,
      sentAt: event.sentAt ?? ctx.sentAt,
      receivedAt: new Date(ctx.receivedAt).toISOString(),
    };
    let payload: string;
    try {
      payload = JSON.stringify(stored);
    } catch {
      // JSON.parse reads nesting deeper than JSON.stringify can write back (the call stack runs out).
      reject('the event nests too deeply to be stored: flatten its properties');
      continue;
    }
    const bytes = Buffer.byteLength(payload);
    if (bytes > LIMITS.maxEventBytes) {
      reject(`event is ${bytes} bytes, over the ${LIMITS.maxEventBytes}-byte limit`);
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
    });
    indexes.push(index);
  }
  return { rows, indexes, rejected };
}
