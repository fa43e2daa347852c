/** Wire-format limits shared by the SDK (which splits batches to fit) and the collector (which enforces them). */
export const LIMITS = {
  /** Largest single event, as UTF-8 JSON. */
  maxEventBytes: 32 * 1024,
  /** Most events in one `POST /v1/batch`. */
  maxBatchEvents: 500,
  /** Largest `POST /v1/batch` body, as UTF-8 JSON. */
  maxBatchBytes: 512 * 1024,
  /** Largest request the SDK sends: browsers cap keepalive/beacon bodies at 64 KB in total. */
  maxClientRequestBytes: 64 * 1024,
  /** Largest `POST /v1/consent` body. */
  maxConsentBytes: 16 * 1024,
  /** An event whose skew-corrected time lies further ahead of the collector's clock is rejected. */
  maxFutureSkewMs: 10 * 60 * 1000,
  /**
   * Deepest nesting of an event, as JSON (the event object is level 1, its `properties` level 2): every
   * reader of a stored event (access, export, insights) can then read it without running out of stack.
   */
  maxEventDepth: 32,
  maxIdLength: 128,
  maxNameLength: 200,
} as const;

/** Purposes a site may configure. `necessary` is always granted and never carries tracking. */
export const DEFAULT_PURPOSES = ['analytics', 'marketing', 'personalization'] as const;
export const NECESSARY_PURPOSE = 'necessary';
/** A purpose name: lower-case, starts with a letter, at most 32 characters. */
export const PURPOSE_PATTERN = /^[a-z][a-z0-9_-]{0,31}$/;
