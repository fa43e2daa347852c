import { isConversion, type OrderOptions, orderRevenue } from './orders.js';
import { scanEvents } from './scan.js';
import { type SessionOptions, SessionState, sessionRules, startsSession } from './sessions.js';
import { type Coverage, DAY_MS, type EventSource, type ScanOptions } from './types.js';

export interface PathOptions extends ScanOptions, SessionOptions, OrderOptions {
  /** How far before a conversion a touch still counts. Default 30 days. */
  lookbackDays?: number;
  /** Touches kept per person (the most recent); bounds memory against bots. Default 100. */
  maxTouches?: number;
}

/**
 * A journey: the touches (session starts) of one person within the lookback window, oldest first,
 * ending in a conversion or, for what is left open at the end of the data, in none. A touch counts
 * for one conversion only: the next journey starts after it.
 */
export interface Journey {
  person: string;
  /** The channel of each touch, and its time (epoch ms). */
  channels: string[];
  times: number[];
  conversion?: { time: number; revenue: number };
}

export const DEFAULT_LOOKBACK_DAYS = 30;

/**
 * What is kept per person between events: their session, and their open journey's touches as
 * numbers, `[time, channel id, time, channel id, …]` (channel names interned): no object per touch,
 * and only the touches still inside the lookback window of the person's latest touch.
 */
class PersonState extends SessionState {
  touches: number[] = [];
}

/** Drops the touches (pairs) older than `limit`, and the oldest beyond `max`. */
function dropTouches(touches: number[], limit: number, max: number): void {
  let stale = 0;
  while (stale < touches.length && touches[stale]! < limit) stale += 2;
  stale = Math.max(stale, touches.length - 2 * max);
  if (stale > 0) touches.splice(0, stale);
}

/**
 * Reads the events of the analysis's purpose and calls `visit` with each person's journeys.
 * Memory: per person, their session and their touches within the lookback window (≤ maxTouches).
 */
export async function scanJourneys(
  events: EventSource,
  options: PathOptions,
  coverage: Coverage,
  visit: (journey: Journey) => void,
): Promise<void> {
  const lookback = (options.lookbackDays ?? DEFAULT_LOOKBACK_DAYS) * DAY_MS;
  const maxTouches = options.maxTouches ?? 100;
  const rules = sessionRules(options);
  const people = new Map<string, PersonState>();
  const channelIds = new Map<string, number>();
  const channelNames: string[] = [];
  const journey = (person: string, touches: number[], conversion?: Journey['conversion']): Journey => {
    const channels: string[] = [];
    const times: number[] = [];
    for (let i = 0; i < touches.length; i += 2) {
      times.push(touches[i]!);
      channels.push(channelNames[touches[i + 1]!]!);
    }
    return conversion ? { person, channels, times, conversion } : { person, channels, times };
  };
  await scanEvents(events, options, coverage, (event, person, time) => {
    let state = people.get(person);
    if (!state) {
      state = new PersonState();
      people.set(person, state);
    }
    const touch = startsSession(state, event, time, rules);
    if (touch) {
      let id = channelIds.get(touch.channel);
      if (id === undefined) {
        id = channelNames.push(touch.channel) - 1;
        channelIds.set(touch.channel, id);
      }
      state.touches.push(time, id);
      dropTouches(state.touches, time - lookback, maxTouches);
    }
    if (!isConversion(event, options)) return;
    dropTouches(state.touches, time - lookback, maxTouches);
    visit(journey(person, state.touches, { time, revenue: orderRevenue(event) }));
    state.touches.length = 0;
  });
  for (const [person, { touches }] of people) if (touches.length) visit(journey(person, touches));
}

/** The channels of a journey in order; a conversion without any touch counts as `direct`. */
export function channelsOf(journey: Journey): string[] {
  return journey.channels.length ? journey.channels : ['direct'];
}
