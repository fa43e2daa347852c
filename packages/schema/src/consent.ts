import { z } from 'zod';
import { IsoDateTime, Purpose } from './event.js';
import { LIMITS } from './limits.js';

export const ConsentSource = z.enum(['banner', 'portal', 'api', 'gpc']);

/**
 * One consent decision, as the browser reports it to the append-only consent log (proof of
 * consent, GDPR Art. 7(1)). A refusal has no identifier: the SDK makes none unless something is granted.
 */
export const ConsentRecord = z.object({
  writeKey: z.string().min(1).max(256).optional(),
  /**
   * The client's id of this decision, sent again with every retry: the collector stores a record
   * once per id and answers a repeat with the first receipt (a reload mid-request is harmless).
   */
  recordId: z.string().min(1).max(LIMITS.maxIdLength).optional(),
  anonymousId: z.string().min(1).max(LIMITS.maxIdLength).nullable(),
  userId: z.string().min(1).max(LIMITS.maxIdLength).nullish(),
  /**
   * The subject secret made in the browser at first consent. Sent once, over TLS; the collector
   * keeps only its hash and uses it to authenticate data-subject requests.
   */
  secret: z.string().min(32).max(256).optional(),
  /**
   * With `userId`: a short-lived token the site's backend signed for that user (as for the data-subject
   * API). Without it, a record from a page cannot claim a user the browser was not proven to belong to:
   * it is kept without the user id.
   */
  userToken: z.string().min(1).max(2200).optional(),
  /** Every configured purpose with the visitor's answer; `necessary` is implied. */
  purposes: z.record(Purpose, z.boolean()),
  policyVersion: z.string().min(1).max(64),
  source: ConsentSource,
  /** When the visitor decided (client clock). */
  timestamp: IsoDateTime,
  /** SHA-256 (hex) of the text the visitor saw when deciding; absent when no text was shown (API). */
  textHash: z
    .string()
    .regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 hex digest')
    .optional(),
  locale: z.string().max(64).optional(),
  url: z.string().max(4096).optional(),
});

export type ConsentRecord = z.infer<typeof ConsentRecord>;
export type ConsentSource = z.infer<typeof ConsentSource>;
