import type { Event } from '@tillit/schema';

/**
 * The fields of a stored Segment-spec event that the analyses read. A full `Event` fits; so does a
 * line of a Segment or RudderStack export. `timestamp` may also be epoch milliseconds (the collector
 * passes its skew-corrected time).
 */
export type InsightEvent = Pick<Event, 'type' | 'anonymousId' | 'userId' | 'event' | 'properties' | 'context'> & {
  timestamp: string | number;
};

/** The purposes an analysis can require: aggregates need `analytics`, anything about one person `personalization`. */
export type AnalysisPurpose = string;

/** Why an event was left out of an analysis. Every answer counts them. */
export type ExclusionReason =
  | 'purpose not granted'
  | 'no consent snapshot'
  | 'objection (Art. 21)'
  | 'restriction (Art. 18)'
  | 'outside period'
  | 'unreadable';

/** How many events an analysis read, used, and left out (by reason). */
export interface Coverage {
  purpose: AnalysisPurpose;
  events: number;
  used: number;
  excluded: Partial<Record<ExclusionReason, number>>;
}

/** Options every analysis takes. Times are epoch milliseconds; the window is [from, to). */
export interface ScanOptions {
  /** The purpose an event's consent snapshot must grant. Each analysis has its default. */
  purpose?: AnalysisPurpose;
  from?: number;
  to?: number;
  /**
   * Purposes assumed for events without `context.consent` (server-side events under another legal
   * basis, e.g. orders under contract, Art. 6(1)(b)). Default: none, so such events are left out.
   */
  purposesWithoutSnapshot?: readonly AnalysisPurpose[];
  /** anonymousId → person (userId) from a first pass (`stitchIdentities`); see identity.ts. */
  identities?: IdentityMap;
}

/** Options of analyses that produce one row per person (profiling): objection and restriction apply. */
export interface PersonOptions extends ScanOptions {
  /** Ids (userId or anonymousId) of people who objected to profiling (Art. 21), or a test of an id. */
  objected?: PeopleList;
  /** Ids of people whose processing is restricted (Art. 18), or a test of an id. */
  restricted?: PeopleList;
}

/** People named by id, or a test that says whether an id (userId or anonymousId) is one of them. */
export type PeopleList = Iterable<string> | ((id: string) => boolean);

/** anonymousId → the userId an identify (or an event carrying both) linked it to. */
export type IdentityMap = ReadonlyMap<string, string>;

/** Events to analyse, in timestamp order: an array, a generator, or an async stream (the collector's store). */
export type EventSource = Iterable<InsightEvent> | AsyncIterable<InsightEvent>;

export const DAY_MS = 86_400_000;
