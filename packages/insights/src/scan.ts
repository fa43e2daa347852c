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

/** One event an analysis may use: who it is about and when (epoch ms). */
export interface Scanned {
  event: InsightEvent;
  person: string;
  time: number;
}

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

/** A test of ids: a listed anonymousId also names the user it is linked to. */
function peopleOf(list: PeopleList | undefined, links: ReadonlyMap<string, string>): (id: string) => boolean {
  if (typeof list === 'function') return list;
  const people = new Set<string>();
  for (const id of list ?? []) {
    people.add(id);
    people.add(links.get(id) ?? id);
  }
  return (id) => people.has(id);
}

function listed(isListed: (id: string) => boolean, person: string, event: InsightEvent): boolean {
  return isListed(person) || (!!event.anonymousId && isListed(event.anonymousId));
}

/**
 * The gate every analysis reads its events through: the period, the purpose, objection and
 * restriction (when the options name people), and person stitching. Counts what it leaves out.
 * Events must come in timestamp order (as the collector's store streams them): the analyses keep
 * per-person state only, never the events, and that needs time order.
 */
export async function* scanEvents(events: EventSource, options: PersonOptions, coverage: Coverage): AsyncGenerator<Scanned> {
  const links = new Map(options.identities ?? []);
  const objected = peopleOf(options.objected, links);
  const restricted = peopleOf(options.restricted, links);
  const from = options.from ?? Number.NEGATIVE_INFINITY;
  const to = options.to ?? Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for await (const event of events) {
    coverage.events++;
    const time = timeOf(event);
    const person = personOf(event, links);
    if (!Number.isFinite(time) || !person) {
      exclude(coverage, 'unreadable');
      continue;
    }
    if (time < last) {
      throw new Error(
        `[tillit] insights: events must come in timestamp order; event ${coverage.events} at ${new Date(time).toISOString()} came after ${new Date(last).toISOString()}. Sort them first.`,
      );
    }
    last = time;
    const reason =
      time < from || time >= to ? 'outside period' : consentReason(event, coverage.purpose, options.purposesWithoutSnapshot);
    if (reason) {
      exclude(coverage, reason);
      continue;
    }
    if (event.anonymousId && event.userId) links.set(event.anonymousId, event.userId);
    const rights = listed(objected, person, event)
      ? 'objection (Art. 21)'
      : listed(restricted, person, event)
        ? 'restriction (Art. 18)'
        : null;
    if (rights) {
      exclude(coverage, rights);
      continue;
    }
    coverage.used++;
    yield { event, person, time };
  }
}
