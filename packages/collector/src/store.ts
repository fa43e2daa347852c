/**
 * Everything the collector keeps, behind one interface. SQLite is the default adapter; the methods
 * are async and batch-shaped so that a PostgreSQL adapter (several collectors, one database) fits.
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
}

export interface ConsentRow {
  receiptId: string;
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

export interface Store {
  /**
   * Inserts events, ignoring any whose messageId is already stored. Resolves once the rows are
   * committed, with `true` for each row inserted and `false` for each duplicate.
   */
  insertEvents(rows: EventRow[]): Promise<boolean[]>;
  /** Appends a consent record; binds `secretHash` to the anonymous id if it has none yet. */
  appendConsent(row: ConsentRow, secretHash: string | null): Promise<void>;
  /** Number of stored events (health and tests). */
  countEvents(): Promise<number>;
  /** Commits what is pending and closes the database. */
  close(): Promise<void>;
}
