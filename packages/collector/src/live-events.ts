/**
 * The last events a collector received, for the dashboard's live view (the debugger that Segment and
 * RudderStack users keep open while instrumenting a site). In memory only, bounded, per process, and
 * without personal data: no ids but the messageId, property names but not their values, so what the
 * view shows is what a developer needs to see the instrumentation work, and nothing to erase.
 */
import type { RejectedEvent } from '@tillit/schema';
import type { EventRow } from './store.js';

export interface LiveEntry {
  /** Increases by one per entry: `?after=` asks for what came since. */
  seq: number;
  /** When the collector received it (ISO). */
  at: string;
  site: string;
  status: 'accepted' | 'duplicate' | 'rejected';
  messageId: string | null;
  type: string | null;
  event: string | null;
  /** Names of the event's properties (values left out). */
  properties: string[];
  /** Purposes its consent snapshot granted. */
  purposes: string[];
  /** Why it was rejected. */
  reason: string | null;
}

/** How many entries the live view keeps: a screenful and then some. */
export const LIVE_CAPACITY = 200;

/**
 * What record() keeps: a rejected event's entry as it is, a stored row as it came, made into its entry
 * (payload parsed for property names and purposes) only when the live view asks. Ingest then pays a
 * pointer per event instead of a JSON.parse (profiled at 12 % of the busy main thread at 20 events per
 * request); a row's payload stays in memory only until it is shown or pushed out, and is never exposed.
 */
type Kept = LiveEntry | { seq: number; at: string; site: string; row: EventRow; inserted: boolean };

export class LiveEvents {
  /** A ring of the last `capacity` entries: entry `seq` sits at `seq % capacity`. */
  private readonly ring: (Kept | undefined)[];
  private seq = 0;

  constructor(private readonly capacity = LIVE_CAPACITY) {
    this.ring = new Array<Kept | undefined>(capacity);
  }

  /** Notes a request's stored rows (`inserted[i]`: new or duplicate) and rejected events. */
  record(site: string, at: number, rows: readonly EventRow[], inserted: readonly boolean[], rejected: readonly RejectedEvent[]) {
    const iso = new Date(at).toISOString();
    // Only the last `capacity` of them could be kept: the others would be pushed out at once.
    const skip = Math.max(0, rows.length + rejected.length - this.capacity);
    this.seq += skip;
    for (let i = skip; i < rows.length; i++) {
      this.keep({ seq: 0, at: iso, site, row: rows[i]!, inserted: inserted[i] === true });
    }
    for (let i = Math.max(0, skip - rows.length); i < rejected.length; i++) {
      const r = rejected[i]!;
      this.keep({
        seq: 0,
        at: iso,
        site,
        status: 'rejected',
        messageId: r.messageId,
        type: null,
        event: null,
        properties: [],
        purposes: [],
        reason: r.reason,
      });
    }
  }

  /** Entries after `seq`, oldest first (at most the capacity). */
  since(seq: number, site?: string): LiveEntry[] {
    const entries: LiveEntry[] = [];
    for (let s = Math.max(seq, this.seq - this.capacity) + 1; s <= this.seq; s++) {
      const slot = s % this.capacity;
      const kept = this.ring[slot]!;
      if (site && kept.site !== site) continue;
      const entry = 'row' in kept ? entryOf(kept) : kept;
      this.ring[slot] = entry;
      entries.push(entry);
    }
    return entries;
  }

  private keep(kept: Kept): void {
    kept.seq = ++this.seq;
    this.ring[kept.seq % this.capacity] = kept;
  }
}

function entryOf({ seq, at, site, row, inserted }: Extract<Kept, { row: EventRow }>): LiveEntry {
  const payload = JSON.parse(row.payload) as { properties?: object; context?: { consent?: { purposes?: unknown } } };
  const granted = payload.context?.consent?.purposes;
  return {
    seq,
    at,
    site,
    status: inserted ? 'accepted' : 'duplicate',
    messageId: row.messageId,
    type: row.type,
    event: row.event,
    properties: payload.properties ? Object.keys(payload.properties).slice(0, 50) : [],
    purposes: Array.isArray(granted) ? granted.filter((p): p is string => typeof p === 'string') : [],
    reason: null,
  };
}
