import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { WebhookDestination } from './config.js';
import { type Delivery, type Destination, type ErasureRequest, type OutboundEvent, post } from './destination.js';

export const SIGNATURE_HEADER = 'Tillit-Signature';

/**
 * `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`, as Stripe signs webhooks: the receiver recomputes it
 * and rejects an old `t`, so a captured request cannot be replayed later.
 */
export function signBody(secret: string, body: string, nowMs: number): string {
  const t = Math.floor(nowMs / 1000);
  const v1 = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
  return `t=${t},v1=${v1}`;
}

/** What a receiver does (README, "Destinations"): true when the signature is right and at most `toleranceS` old. */
export function verifySignature(secret: string, body: string, header: string, nowMs: number, toleranceS = 300): boolean {
  const parts = new Map(header.split(',').map((kv) => kv.split('=', 2) as [string, string]));
  const t = Number(parts.get('t'));
  const v1 = parts.get('v1') ?? '';
  if (!Number.isInteger(t) || Math.abs(nowMs / 1000 - t) > toleranceS) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest();
  const given = Buffer.from(v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** A generic webhook: one signed JSON POST per batch, and a `subject.erased` event per erasure. */
export function webhookDestination(config: WebhookDestination, site: string, now: () => number): Destination {
  const deliver = (message: Record<string, unknown>, idempotencyKey: string, signal: AbortSignal): Promise<Delivery> => {
    const body = JSON.stringify(message);
    const headers = { [SIGNATURE_HEADER]: signBody(config.secret, body, now()), 'Idempotency-Key': idempotencyKey };
    return post(config.url, body, headers, signal, now);
  };
  return {
    config,
    site,
    send: (events: OutboundEvent[], signal: AbortSignal) =>
      // Receivers dedupe on each event's messageId; the header keys the batch (a retry of it has the same key).
      deliver(
        { type: 'events', site, destination: config.name, events: events.map((e) => e.payload) },
        createHash('sha256')
          .update(events.map((e) => e.messageId).join(','))
          .digest('hex'),
        signal,
      ),
    erase: (request: ErasureRequest, signal: AbortSignal) =>
      deliver({ type: 'subject.erased', destination: config.name, ...request }, request.messageId, signal),
  };
}
