import { personOf } from './identity.js';
import type {
  AnalysisPurpose,
  Coverage,
  EventSource,
  ExclusionReason,
  InsightEvent,
  PeopleList,
  PersonOptions,
} from './types.js';

/** Called with each event an analysis may use, who it is about and when (epoch ms); arguments, not an object per event. */
export type ScanVisitor = (event: InsightEvent, person: string, time: number) => void;

/** A fresh coverage count for an analysis that requires `purpose`. */
export function newCoverage(purpose: AnalysisPurpose): Coverage {
  return { purpose, events: 0, used: 0, excluded: {} };
}

function exclude(coverage: Coverage, reason: ExclusionReason): void {
  coverage.excluded[reason] = (coverage.excluded[reason] ?? 0) + 1;
}

export function timeOf(event: InsightEvent): number {
  return typeof event.timestamp === 'number' ? event.timestamp : Date.parse(event.timestamp);
}

/** Whether the event's consent snapshot (or, without one, the configured assumption) grants `purpose`. */
export function consentReason(
  event: InsightEvent,
  purpose: AnalysisPurpose,
  purposesWithoutSnapshot: readonly AnalysisPurpose[] = [],
): ExclusionReason | null {
  const granted = event.context?.consent?.purposes;
  if (!granted) return purposesWithoutSnapshot.includes(purpose) ? null : 'no consent snapshot';
  return granted.includes(purpose) ? null : 'purpose not granted';
}

/** A test of ids: a listed anonymousId also names the user it is linked to. Null when nobody is listed. */
function peopleOf(list: PeopleList | undefined, links: ReadonlyMap<string, string>): ((id: string) => boolean) | null {
  if (typeof list === 'function') return list;
  const people = new Set<string>();
  for (const id of list ?? []) {
    people.add(id);
    people.add(links.get(id) ?? id);
  }
  return people.size ? (id) => people.has(id) : null;
}

function listed(isListed: ((id: string) => boolean) | null, person: string, event: InsightEvent): boolean {
  if (!isListed) return false;
  return isListed(person) || (!!event.anonymousId && isListed(event.anonymousId));
}

/**
 * Links an anonymousId to a user, writing only when the link is new: most events of a logged-in
 * person repeat a link the map already holds, and a write stores the event's fresh userId string in
 * a long-lived map, which the next young-generation GC must then copy (in the bench's profile a
 * rewrite cost about twice a read).
 */
export function link(links: Map<string, string>, anonymousId: string, userId: string): void {
  if (links.get(anonymousId) !== userId) links.set(anonymousId, userId);
}

/** Sync sources are read with a plain loop: `for await` would cost a promise per event. */
export async function forEachEvent(events: EventSource, visit: (event: InsightEvent) => void): Promise<void> {
  if (Symbol.iterator in events) for (const event of events) visit(event);
  else for await (const event of events) visit(event);
}

/**
 * The gate every analysis reads its events through: the period, the purpose, objection and
 * restriction (when the options name people), and person stitching. Counts what it leaves out and
 * calls `visit` with each event it keeps (a callback, not a generator: a yield per event was the
 * largest cost of an analysis in the profile, see bench/REPORT.md).
 * Events must come in timestamp order (as the collector's store streams them): the analyses keep
 * per-person state only, never the events, and that needs time order.
 */
export async function scanEvents(
  events: EventSource,
  options: PersonOptions,
  coverage: Coverage,
  visit: ScanVisitor,
): Promise<void> {
  const links = new Map(options.identities ?? []);
  const objected = peopleOf(options.objected, links);
  const restricted = peopleOf(options.restricted, links);
  const from = options.from ?? Number.NEGATIVE_INFINITY;
  const to = options.to ?? Number.POSITIVE_INFINITY;
  const purposesWithoutSnapshot = options.purposesWithoutSnapshot ?? [];
  let last = Number.NEGATIVE_INFINITY;
  await forEachEvent(events, (event) => {
    coverage.events++;
    const time = timeOf(event);
    const person = personOf(event, links);
    if (!Number.isFinite(time) || !person) return exclude(coverage, 'unreadable');
    if (time < last) {
      throw new Error(
        `[tillit] insights: events must come in timestamp order; event ${coverage.events} at ${new Date(time).toISOString()} came after ${new Date(last).toISOString()}. Sort them first.`,
      );
    }
    last = time;
    const reason = time < from || time >= to ? 'outside period' : consentReason(event, coverage.purpose, purposesWithoutSnapshot);
    if (reason) return exclude(coverage, reason);
    if (event.anonymousId && event.userId) link(links, event.anonymousId, event.userId);
    const rights = listed(objected, person, event)
      ? 'objection (Art. 21)'
      : listed(restricted, person, event)
        ? 'restriction (Art. 18)'
        : null;
    if (rights) return exclude(coverage, rights);
    coverage.used++;
    visit(event, person, time);
  });
}
