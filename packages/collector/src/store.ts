import type { OutboxStore } from './destinations/outbox-store.js';
import type { FailureLimit } from './rate-limit.js';

/**
 * Everything the collector keeps, behind one interface: the contract every store fulfils (SQLite, the
 * default, and PostgreSQL for several collectors on one database). `store-contract.ts` tests it; a new
 * store runs that suite (see `sqlite-store.contract.test.ts`).
 *
 * Guarantees every store gives, whatever runs it:
 * - **Committed before answered.** A promise resolves only once its rows are durable (per the store's
 *   durability setting); a rejected promise stored nothing of that call.
 * - **Ordered writes.** A write or a subject read resolves after, and sees, every insertEvents call that
 *   was made before it (an erasure deletes every event accepted before it).
 * - **Dedup.** An event is stored once per messageId (across all sites and calls); repeats are answered
 *   as duplicates. A consent record is stored once per (site, recordId).
 * - **Append-only consent.** A consent record is never updated or deleted, except that erasure
 *   pseudonymises it (ids replaced by the subject hash) once. A receiptId is never stored twice.
 * - **Erasure is one transaction**: events, identity links, subject rows, the pseudonymisation, the
 *   suppressions and the audit row commit together or not at all.
 * - **Site scope.** Every subject read and erasure stays inside `ref.site`.
 * - Ids, hashes and times are opaque to the store: it never hashes, never reads the clock.
 */
export interface EventRow {
  messageId: string;
  site: string;
  type: string;
  event: string | null;
  anonymousId: string | null;
  userId: string | null;
  /** Skew-corrected event time (ms). */
  timestamp: number;
  receivedAt: number;
  /** The event as stored, JSON. */
  payload: string;
  /**
   * The sender proved it may link ids (it used a server key, not the public write key): an `identify`
   * then makes a proven link. Not stored with the event.
   */
  linkProven?: boolean;
  /**
   * The destinations this event is forwarded to (names): a newly stored row is queued in the outbox for
   * each, in the same transaction. Not stored with the event.
   */
  destinations?: string[];
}

export interface ConsentRow {
  receiptId: string;
  /** The client's id of the decision (idempotency key), when it sent one. */
  recordId: string | null;
  site: string;
  anonymousId: string | null;
  userId: string | null;
  /** JSON object purpose → boolean. */
  purposes: string;
  policyVersion: string;
  source: string;
  textHash: string | null;
  /** Client time of the decision (ISO). */
  decidedAt: string;
  receivedAt: number;
  locale: string | null;
  url: string | null;
}

/** Who a data-subject request is about. Ids are scoped by site: two sites may both have a user "42". */
export interface SubjectRef {
  site: string;
  kind: 'anonymous' | 'user';
  id: string;
}

export interface IdentityLinkRow {
  anonymousId: string;
  userId: string;
  firstSeenAt: number;
  lastSeenAt: number;
  /**
   * Proven by the browser's subject secret with the site's token for the user, or by a server key. Only proven links widen what a user's
   * credential reads or erases; a claimed link (anyone with the public write key can make one) serves
   * analytics only.
   */
  proven: boolean;
}

/** Every row the store holds about one subject, as stored. */
export interface SubjectRows {
  subjects: { anonymousId: string; createdAt: number }[];
  events: EventRow[];
  consent: ConsentRow[];
  links: IdentityLinkRow[];
  audit: AuditRow[];
  requests: RequestRow[];
}

/** One data-subject request, as the audit log keeps it: never the raw id, the IP or the payload. */
export interface AuditRow {
  at: number;
  site: string;
  action: string;
  subjectHash: string | null;
  /** How the requester proved who they are: secret, token, portal, operator, none. */
  via: string;
  outcome: string;
  receiptId: string | null;
  /** Requests this row stands for: 1, or more for the hourly row of failed requests (see countDenied). */
  count?: number;
}

/** A request received by e-mail or post, recorded by the operator and tracked until answered. */
export interface RequestRow {
  receiptId: string;
  site: string;
  kind: string;
  channel: string;
  subjectHash: string | null;
  /** The operator's own reference (ticket number); not personal data. */
  reference: string | null;
  receivedAt: number;
  dueAt: number;
  state: string;
  updatedAt: number;
  answeredAt: number | null;
}

/** A suppressed subject: events for it arriving after erasure are dropped at ingest. */
export interface Suppression {
  hash: string;
  erasedAt: number;
}

export interface ErasureCounts {
  events: number;
  identityLinks: number;
  subjects: number;
  consentRecords: number;
}

/** Which events an analysis reads: one site, `from <= timestamp < to` (ms). */
export interface EventQuery {
  site: string;
  from?: number;
  to?: number;
  /** Rows read from the database at a time; memory holds one page. @defaultValue 5000 */
  pageSize?: number;
}

/** One consent decision as the operator's statistics read it: no ids, no URL. */
export interface ConsentDecisionRow {
  /** JSON object purpose → boolean. */
  purposes: string;
  source: string;
  locale: string | null;
  /** Client time of the decision (ISO), as the record says. */
  decidedAt: string;
}

/**
 * Which events an export reads: every site, or one; one event type or all; `from <= timestamp < to`
 * (ms); only rows stored after the `after` key (a cursor's key), at most `limit` of them.
 */
export interface ExportQuery {
  site?: string;
  type?: string;
  from?: number;
  to?: number;
  /** A key from an earlier page's `last`: the export resumes after that row. */
  after?: string;
  limit?: number;
}

/** One export answer: its rows, and where the next one starts. */
export interface ExportPage {
  /**
   * The key to resume after this page (opaque to the caller; null when the store holds no row after
   * `after`). Rows are streamed in key order, and every row of the page has a key `<= last`.
   */
  last: string | null;
  /** The page stopped at `limit`: more rows may follow. */
  more: boolean;
  /** Read from the database a page at a time, as the consumer pulls: memory holds one page. */
  rows: AsyncIterable<EventRow>;
}

/**
 * An objection to profiling (Art. 21) or a restriction of processing (Art. 18), kept by the subject's
 * keyed hash (like the audit log): the insights leave the person out of per-person results.
 */
export interface ProcessingLimit {
  site: string;
  subjectHash: string;
  right: 'objection' | 'restriction';
  at: number;
}

export interface Store {
  /** Which database this is, for the labels of logs and metrics. */
  readonly kind: 'sqlite' | 'postgres';
  /**
   * Inserts events, ignoring any whose messageId is already stored. Resolves once the rows are
   * committed, with `true` for each row inserted and `false` for each duplicate. A newly stored
   * `identify` event with both ids links its anonymous id to its user id: a proven link if the row
   * says `linkProven`, else a claimed one. Concurrent calls may share one transaction (group commit).
   */
  insertEvents(rows: EventRow[]): Promise<boolean[]>;
  /**
   * Appends a consent record; binds `secretHash` to the anonymous id if it has none yet. Resolves
   * with the record's receipt id: a record whose `recordId` is already stored for the site is not
   * stored again, and resolves with the first one's receipt.
   *
   * A record may claim a user (`userId`) only with proof: `options.trusted` (the caller vouches for the
   * user: a server key, or the site's token for that user) or a proven link between its two ids. Then
   * the record keeps the user id and the ids are linked, proven. Without proof the record is stored
   * without the user id, and the ids get a claimed link. The subject secret is no proof of a user:
   * it proves the browser only (anyone can make one for a new anonymous id).
   */
  appendConsent(row: ConsentRow, secretHash: string | null, options?: { trusted?: boolean }): Promise<string>;
  /**
   * Records a proven link (the caller checked the proof: the anonymous id's subject secret together with
   * the site's token for the user, or a server key); from now on a user's access and erasure cover the
   * anonymous id. Idempotent.
   */
  linkIdentity(link: { site: string; anonymousId: string; userId: string; at: number }): Promise<void>;
  /**
   * Like appendConsent, for a subject that was erased: the record keeps only `subjectHash`, and no
   * secret is bound (proof that a late decision was made, without bringing the id back).
   */
  appendPseudonymousConsent(row: ConsentRow, subjectHash: string): Promise<string>;
  /**
   * The site of an anonymous id and the hashes of the secrets bound to it, or null: the first secret (bound
   * by its first consent record), then the ones bound through the identity cookie, one per origin.
   */
  findSubject(anonymousId: string): Promise<{ site: string; secretHashes: string[] } | null>;
  /**
   * Binds a further secret to an anonymous id of `site` for one of its origins, replacing the one bound for
   * that origin before (the identity cookie proved that the browser held the id: routes/identity-cookie.ts).
   * Only to an id the site has a subject for whose latest consent record (by decision time) grants
   * something; false (nothing bound) otherwise: after its erasure, or its withdrawal (a withdrawn id is
   * never restored, even when the browser's cookie was not deleted).
   */
  bindOriginSecret(binding: {
    site: string;
    anonymousId: string;
    origin: string;
    secretHash: string;
    at: number;
  }): Promise<boolean>;
  /**
   * Every row about the subject, in its site. For a user: also the rows of each anonymous id with a
   * proven link to it (claimed links widen nothing), and those links.
   */
  readSubject(ref: SubjectRef, subjectHash: string): Promise<SubjectRows>;
  /**
   * Erases a subject in one transaction: deletes its events, every identity link naming it (proven or
   * claimed) and its subject rows and bound secrets (for a user, those of every anonymous id with a proven link too),
   * pseudonymises its consent records with `subjectHash` (ids replaced, url cleared: the rest is the
   * proof), and adds a suppression and an audit row (with the suppression hash of every id erased, from `hashOf`).
   */
  eraseSubject(
    ref: SubjectRef,
    subjectHash: string,
    hashOf: (kind: SubjectRef['kind'], id: string) => string,
    audit: AuditRow,
    /** Called as soon as the transaction has committed, before any other request can run. */
    onCommitted: (suppressed: Suppression[]) => void,
  ): Promise<ErasureCounts>;
  /** Every suppression, loaded at start into memory. */
  loadSuppressions(): Promise<Suppression[]>;
  /**
   * Puts suppressions back as they were recorded (erasedAt included), replacing any of the same hash:
   * erasures the erasure ledger holds that a restored backup of the database does not (erasure-ledger.ts).
   */
  restoreSuppressions(entries: Suppression[]): Promise<void>;
  /** Every distinct subject id of `site` in events, subjects, consent records and identity links (ledger re-erasure). */
  subjectIds(site: string): AsyncIterable<SubjectRef>;
  /**
   * When the subject with this keyed hash was last erased (its suppression's `erasedAt`), or null. Read from
   * the store on every token use, so an erasure through one collector ends the subject's tokens on all.
   */
  subjectErasedAt(subjectHash: string): Promise<number | null>;
  appendAudit(row: AuditRow): Promise<void>;
  /**
   * Counts a failed data-subject request (wrong credential, unknown id), which names no subject: one
   * audit row per action and hour (site '*', via 'none', outcome 'denied') holds the count, so a
   * guessing attack adds a row an hour, not a row a guess.
   */
  countDenied(action: string, at: number): Promise<void>;
  listAudit(options: { limit: number; before?: number }): Promise<AuditRow[]>;
  insertRequest(row: RequestRow): Promise<void>;
  listRequests(options: { openOnly: boolean }): Promise<RequestRow[]>;
  /** Sets a request's state; null when there is no such request. */
  updateRequest(receiptId: string, state: string, at: number): Promise<RequestRow | null>;
  /**
   * Deletes events received before `cutoff` (ms), identity links not seen since, and the counts of
   * failed requests older than it; returns the counts of events and links.
   */
  deleteExpired(cutoff: number): Promise<{ events: number; identityLinks: number }>;
  /**
   * The site's events in timestamp order (ties by insertion), read page by page from one snapshot
   * that includes every insert requested before the call: the insights stream them, never load them all.
   */
  streamEvents(query: EventQuery): AsyncIterable<EventRow>;
  /**
   * Events for a bulk export, in storage order (the order they were stored, a key that never changes),
   * so a page ends at a key the next one resumes after, exactly. The bound of the page is fixed when
   * it is made: events stored later are in a later page.
   */
  exportEvents(query: ExportQuery): Promise<ExportPage>;
  /** Records an objection or restriction (again: keeps the first time). */
  addProcessingLimit(limit: ProcessingLimit): Promise<void>;
  /** Lifts one; false when there was none. */
  removeProcessingLimit(site: string, subjectHash: string, right: ProcessingLimit['right']): Promise<boolean>;
  listProcessingLimits(site: string): Promise<ProcessingLimit[]>;
  /** The site's consent decisions, without ids, in the order received. */
  listConsentDecisions(site: string): Promise<ConsentDecisionRow[]>;
  /** Number of stored events (health and tests). */
  countEvents(): Promise<number>;
  /**
   * A failure limit that every collector on this store counts together (PostgreSQL). Without it, each
   * collector counts in memory (SQLite: one process).
   */
  failureLimit?(name: string, maxFailures: number, windowMs: number): FailureLimit;
  /**
   * The destinations' outbox. Rows are queued by `insertEvents` (an EventRow's `destinations`) and by
   * `eraseSubject` (a deletion request for each destination that received the subject's events, whose
   * unsent rows go) in their own transactions.
   */
  readonly outbox?: OutboxStore;
  /** Calls `listener` with the number of events of each group commit (the metrics' histogram). */
  observeCommits(listener: (events: number) => void): void;
  /** Resolves when the database answers a query now (readiness); rejects with the reason otherwise. */
  ping(): Promise<void>;
  /** Commits what is pending and closes the database; a second call does nothing. */
  close(): Promise<void>;
}
