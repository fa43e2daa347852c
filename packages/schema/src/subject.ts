import { z } from 'zod';

/**
 * Answers of the data-subject API (GDPR Art. 15, 17, 20) and the processing register they quote.
 * The portal and the SDK read these; the collector writes them.
 */

/** Who a request is about: an SDK anonymous id (proved by the subject secret) or a site's user id (proved by a token). */
export const SubjectKind = z.enum(['anonymous', 'user']);

/** One purpose of the processing register (Art. 30(1)(b)). */
export const ProcessingPurpose = z.object({
  purpose: z.string().min(1),
  description: z.string().min(1),
  /** Art. 6 legal basis, e.g. "consent (Art. 6(1)(a))". */
  legalBasis: z.string().min(1),
});

/**
 * The processing register, from the collector's config. Served as the Art. 30 record to the operator and
 * quoted in every access answer as the Art. 15(1)(a–h) information. `retention` is added by the collector
 * from `retentionDays`, so the answer always states the period actually enforced.
 */
export const ProcessingRegister = z.object({
  controller: z.object({ name: z.string().min(1), contact: z.string().min(1) }),
  purposes: z.array(ProcessingPurpose).min(1),
  categories: z.array(z.string().min(1)).min(1),
  recipients: z.array(z.string().min(1)),
  /** Transfers to third countries (Art. 15(2)); empty when there are none. */
  transfers: z.array(z.string().min(1)),
  rights: z.array(z.string().min(1)).min(1),
  supervisoryAuthority: z.object({ name: z.string().min(1), url: z.string().min(1) }),
  source: z.string().min(1),
  automatedDecisions: z.string().min(1),
});

export const Retention = z.object({
  eventsDays: z.number().int().positive(),
  statement: z.string(),
});

/** A stored event: these fields, and every other field it was stored with (Art. 15: the whole record). */
export const StoredEvent = z.looseObject({
  messageId: z.string(),
  type: z.string(),
  event: z.string().nullable(),
  anonymousId: z.string().nullable(),
  userId: z.string().nullable(),
  /** ISO time of the event (collector clock). */
  timestamp: z.string(),
  receivedAt: z.string(),
  properties: z.record(z.string(), z.unknown()).optional(),
  traits: z.record(z.string(), z.unknown()).optional(),
  context: z.record(z.string(), z.unknown()).optional(),
  /**
   * The event as stored (JSON text) when it cannot be shown as an object: it nests deeper than
   * `LIMITS.maxEventDepth` (stored before ingest enforced the limit).
   */
  storedAsText: z.string().optional(),
});

export const StoredConsent = z.object({
  receiptId: z.string(),
  anonymousId: z.string().nullable(),
  userId: z.string().nullable(),
  purposes: z.record(z.string(), z.boolean()),
  policyVersion: z.string(),
  source: z.string(),
  textHash: z.string().nullable(),
  decidedAt: z.string(),
  receivedAt: z.string(),
  /** The client's id of the decision (idempotency key). */
  recordId: z.string().nullable().optional(),
  locale: z.string().nullable().optional(),
  /** The page where the visitor decided, cleaned like every stored URL; cleared by erasure. */
  url: z.string().nullable().optional(),
});

export const IdentityLink = z.object({
  anonymousId: z.string(),
  userId: z.string(),
  firstSeenAt: z.string(),
  lastSeenAt: z.string(),
  /** Proven (the browser's secret with the site's token, or a server key): only then it widens the user's access and erasure. */
  proven: z.boolean().optional(),
});

/** A data-subject request about this subject: one made through the API (audit log) or one the operator recorded. */
export const RequestRecord = z.object({
  at: z.string(),
  action: z.string(),
  outcome: z.string(),
  /** `api` for requests through this API; `email`, `post`, … for those the operator recorded. */
  channel: z.string(),
  dueAt: z.string().optional(),
  receiptId: z.string().optional(),
});

/** `200` answer to `GET /v1/subjects/:id` and the JSON export (Art. 15 and 20). */
export const SubjectAccess = z.object({
  /** Art. 15(1): whether any personal data of this subject is processed. */
  confirmation: z.boolean(),
  subject: z.object({ kind: SubjectKind, id: z.string(), site: z.string() }),
  generatedAt: z.string(),
  data: z.object({
    /** The anonymous ids with a bound subject secret (for a user: each linked one). */
    subjects: z.array(z.object({ anonymousId: z.string(), createdAt: z.string() })),
    events: z.array(StoredEvent),
    consentRecords: z.array(StoredConsent),
    identityLinks: z.array(IdentityLink),
    requests: z.array(RequestRecord),
  }),
  processing: ProcessingRegister.extend({ retention: Retention }),
});

/** `200` answer to `DELETE /v1/subjects/:id` (Art. 17). Counts say what was deleted or pseudonymised. */
export const ErasureReceipt = z.object({
  receiptId: z.string(),
  erasedAt: z.string(),
  /** HMAC of the subject id: what the collector keeps (audit log, suppression), never the id itself. */
  subjectHash: z.string(),
  deleted: z.object({ events: z.number().int(), identityLinks: z.number().int(), subjects: z.number().int() }),
  pseudonymised: z.object({ consentRecords: z.number().int() }),
});

/** `201` answer to `POST /v1/subjects/:id/token`: a short-lived token for the collector's /privacy page. */
export const PortalToken = z.object({ token: z.string(), expiresAt: z.string() });

export type SubjectKind = z.infer<typeof SubjectKind>;
export type ProcessingPurpose = z.infer<typeof ProcessingPurpose>;
export type ProcessingRegister = z.infer<typeof ProcessingRegister>;
export type Retention = z.infer<typeof Retention>;
export type StoredEvent = z.infer<typeof StoredEvent>;
export type StoredConsent = z.infer<typeof StoredConsent>;
export type IdentityLink = z.infer<typeof IdentityLink>;
export type RequestRecord = z.infer<typeof RequestRecord>;
export type SubjectAccess = z.infer<typeof SubjectAccess>;
export type ErasureReceipt = z.infer<typeof ErasureReceipt>;
export type PortalToken = z.infer<typeof PortalToken>;
