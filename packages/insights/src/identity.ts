import { forEachEvent, link } from './scan.js';
import type { EventSource, InsightEvent } from './types.js';

/**
 * Person stitching: every anonymousId that an event linked to a userId (an `identify`, or any event
 * carrying both, as Segment clients send after `identify`) belongs to that user. Built in a first
 * pass over the same events, so that touches made anonymously before the link count for the user.
 * Only events whose consent snapshot grants `purpose` may link (linking is processing too).
 */
export async function stitchIdentities(
  events: EventSource,
  grants: (event: InsightEvent) => boolean = () => true,
): Promise<Map<string, string>> {
  const links = new Map<string, string>();
  await forEachEvent(events, (event) => {
    if (event.anonymousId && event.userId && grants(event)) link(links, event.anonymousId, event.userId);
  });
  return links;
}

/** The person an event is about: its userId, else the user its anonymousId was linked to, else the anonymousId. */
export function personOf(event: InsightEvent, links: ReadonlyMap<string, string>): string | undefined {
  if (event.userId) return event.userId;
  if (!event.anonymousId) return undefined;
  return links.get(event.anonymousId) ?? event.anonymousId;
}
