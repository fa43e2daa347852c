import { isConversion, type OrderOptions, readOrder } from './orders.js';
import { scanEvents } from './scan.js';
import { createSessionizer, type SessionOptions, type Touch } from './sessions.js';
import { type Coverage, DAY_MS, type EventSource, type ScanOptions } from './types.js';

export interface PathOptions extends ScanOptions, SessionOptions, OrderOptions {
  /** How far before a conversion a touch still counts. Default 30 days. */
  lookbackDays?: number;
  /** Touches kept per person (the most recent); bounds memory against bots. Default 100. */
  maxTouches?: number;
}

/**
 * A journey: the touches (session starts) of one person within the lookback window, ending in a
 * conversion or, for what is left open at the end of the data, in none. A touch counts for one
 * conversion only: the next journey starts after it.
 */
export interface Journey {
  person: string;
  touches: Touch[];
  conversion?: { time: number; revenue: number };
}

export const DEFAULT_LOOKBACK_DAYS = 30;

function dropOlderThan(touches: Touch[], limit: number): void {
  let stale = 0;
  while (stale < touches.length && touches[stale]!.time < limit) stale++;
  if (stale) touches.splice(0, stale);
}

/** Reads `analytics`-consented events and calls `visit` with each person's journeys. Memory: ≤ maxTouches per person. */
export async function scanJourneys(
  events: EventSource,
  options: PathOptions,
  coverage: Coverage,
  visit: (journey: Journey) => void,
): Promise<void> {
  const lookback = (options.lookbackDays ?? DEFAULT_LOOKBACK_DAYS) * DAY_MS;
  const maxTouches = options.maxTouches ?? 100;
  const sessionize = createSessionizer(options);
  const open = new Map<string, Touch[]>();
  await scanEvents(events, options, coverage, (scanned) => {
    const touch = sessionize(scanned);
    let touches = open.get(scanned.person);
    if (touch) {
      if (!touches) {
        touches = [];
        open.set(scanned.person, touches);
      }
      touches.push(touch);
      if (touches.length > maxTouches) touches.shift();
    }
    if (!isConversion(scanned.event, options)) return;
    touches ??= [];
    dropOlderThan(touches, scanned.time - lookback);
    open.delete(scanned.person);
    visit({ person: scanned.person, touches, conversion: { time: scanned.time, revenue: readOrder(scanned.event).revenue } });
  });
  for (const [person, touches] of open) {
    const last = touches.at(-1);
    if (last) dropOlderThan(touches, last.time - lookback);
    if (touches.length) visit({ person, touches });
  }
}

/** The channels of a journey in order; a conversion without any touch counts as `direct`. */
export function channelsOf(journey: Journey): string[] {
  return journey.touches.length ? journey.touches.map((touch) => touch.channel) : ['direct'];
}
