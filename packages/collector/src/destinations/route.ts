/** Which destinations an event is queued for: pure, so ingest can decide it per event at no I/O cost. */

export interface Forwarding {
  destinations: readonly { name: string; purpose: string }[];
  /** Purposes an event without a consent snapshot (the site's backend) counts for, as in the insights. */
  serverSidePurposes: readonly string[];
}

/**
 * The names of the destinations whose purpose the event's consent snapshot grants, or undefined for none.
 * Objection and restriction are checked when the event is sent (they can come after it was stored).
 */
export function forwardTo(forwarding: Forwarding, granted: readonly string[] | undefined): string[] | undefined {
  if (forwarding.destinations.length === 0) return undefined;
  const purposes = granted ?? forwarding.serverSidePurposes;
  const names = forwarding.destinations.filter((d) => purposes.includes(d.purpose)).map((d) => d.name);
  return names.length > 0 ? names : undefined;
}
