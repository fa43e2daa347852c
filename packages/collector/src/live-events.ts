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

export class LiveEvents {
  private readonly entries: LiveEntry[] = [];
  private seq = 0;

  constructor(private readonly capacity = LIVE_CAPACITY) {}

  /** Notes a request's stored rows (`inserted[i]`: new or duplicate) and rejected events. */
  record(site: string, at: number, rows: readonly EventRow[], inserted: readonly boolean[], rejected: readonly RejectedEvent[]) {
    const iso = new Date(at).toISOString();
    rows.forEach((row, i) => {
      const payload = JSON.parse(row.payload) as { properties?: object; context?: { consent?: { purposes?: unknown } } };
      const granted = payload.context?.consent?.purposes;
      this.push({
        at: iso,
        site,
        status: inserted[i] ? 'accepted' : 'duplicate',
        messageId: row.messageId,
        type: row.type,
        event: row.event,
        properties: payload.properties ? Object.keys(payload.properties).slice(0, 50) : [],
        purposes: Array.isArray(granted) ? granted.filter((p): p is string => typeof p === 'string') : [],
        reason: null,
      });
    });
    for (const r of rejected) {
      this.push({
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
    return this.entries.filter((e) => e.seq > seq && (!site || e.site === site));
  }

  private push(entry: Omit<LiveEntry, 'seq'>): void {
    this.entries.push({ seq: ++this.seq, ...entry });
    if (this.entries.length > this.capacity) this.entries.splice(0, this.entries.length - this.capacity);
  }
}
