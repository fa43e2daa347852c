import { Purpose } from '@tillit/schema';
import { z } from 'zod';

const Name = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'must be a lower-case name like "crm-webhook" (letters, digits, - and _)');
const HttpUrl = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' });

const Common = {
  /** Unique across all sites: the CLI, the operator API and the metrics name it. */
  name: Name,
  /** The purpose the recipient serves: only events whose consent snapshot grants it are forwarded. */
  purpose: Purpose,
  /** Shown in the processing register (Art. 30) and the access answer (Art. 15): who receives the data, and why. */
  description: z.string().min(1).max(300).optional(),
};

/** A generic webhook: batches POSTed as JSON, signed with HMAC-SHA256 (`Tillit-Signature: t=…,v1=…`). */
export const WebhookDestination = z.object({
  ...Common,
  type: z.literal('webhook'),
  url: HttpUrl,
  secret: z.string().min(32, 'must be at least 32 characters (e.g. `openssl rand -base64 32`)'),
});

/** Google Analytics 4 through the Measurement Protocol; erasure through the User Deletion API when configured. */
export const Ga4Destination = z.object({
  ...Common,
  type: z.literal('ga4'),
  measurementId: z.string().regex(/^G-[A-Z0-9]+$/, 'must be a GA4 measurement id like G-ABC123'),
  apiSecret: z.string().min(1),
  /** Where the Measurement Protocol is (tests point it at a local receiver). */
  endpoint: HttpUrl.default('https://www.google-analytics.com/mp/collect'),
  /**
   * GA's User Deletion API for erasure propagation (Art. 17(2)). Without it an erasure is recorded as a
   * manual step for the operator (delete the user in GA's user explorer).
   */
  userDeletion: z
    .object({
      /** The GA4 property id (digits). */
      propertyId: z.string().regex(/^\d+$/, 'must be the GA4 property id (digits)'),
      /** OAuth 2 access token with the analytics.user.deletion scope. */
      accessToken: z.string().min(1),
      endpoint: HttpUrl.default('https://www.googleapis.com/analytics/v3/userDeletion/userDeletionRequests:upsert'),
    })
    .optional(),
});

export const DestinationConfig = z.discriminatedUnion('type', [WebhookDestination, Ga4Destination], {
  error: (issue) => (issue.code === 'invalid_union' ? 'type must be "webhook" or "ga4"' : undefined),
});

/** How the outbox delivers: one worker per collector process, off the request path. */
export const OutboxConfig = z
  .object({
    /** Events per request to a destination. */
    batchSize: z.number().int().min(1).max(1000).default(100),
    /** Requests in flight per destination, at most. */
    concurrency: z.number().int().min(1).max(32).default(2),
    /** A request that takes longer is abandoned and retried. */
    timeoutSeconds: z.number().int().min(1).max(300).default(10),
    /** First retry after about this; each further one doubles it (with jitter) up to maxBackoffSeconds. */
    backoffSeconds: z.number().min(0.1).max(3600).default(5),
    maxBackoffSeconds: z.number().min(1).max(86_400).default(3600),
    /** A delivery still failing this long after it was queued becomes a dead letter (replay it from the CLI). */
    deadLetterHours: z
      .number()
      .min(0.01)
      .max(24 * 90)
      .default(72),
    /** How often an idle worker looks for due deliveries. */
    pollSeconds: z.number().min(0.01).max(3600).default(1),
  })
  .refine((o) => o.backoffSeconds <= o.maxBackoffSeconds, {
    path: ['backoffSeconds'],
    message: 'must not exceed maxBackoffSeconds',
  })
  .default({
    batchSize: 100,
    concurrency: 2,
    timeoutSeconds: 10,
    backoffSeconds: 5,
    maxBackoffSeconds: 3600,
    deadLetterHours: 72,
    pollSeconds: 1,
  });

export type DestinationConfig = z.infer<typeof DestinationConfig>;
export type WebhookDestination = z.infer<typeof WebhookDestination>;
export type Ga4Destination = z.infer<typeof Ga4Destination>;
export type OutboxConfig = z.infer<typeof OutboxConfig>;
