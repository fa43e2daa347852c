import { type Channel, type ChannelRules, channelOf, DEFAULT_CHANNEL_RULES } from './channels.js';
import type { InsightEvent } from './types.js';

/** A session's first touch: who, when, and the channel the session is credited to. */
export interface Touch extends Channel {
  person: string;
  time: number;
}

export interface SessionOptions {
  channels?: Partial<ChannelRules>;
  /** Inactivity that ends a session. Default 30 minutes. */
  sessionTimeoutMs?: number;
}

export const DEFAULT_SESSION_TIMEOUT_MS = 30 * 60_000;

export function channelRules(options: SessionOptions): ChannelRules {
  return { ...DEFAULT_CHANNEL_RULES, ...options.channels };
}

/** A person's latest session: when they were last seen in it and the channel it is credited to (none yet: ''). */
export class SessionState {
  last = Number.NEGATIVE_INFINITY;
  channel = '';
}

const DIRECT: Channel = { channel: 'direct' };

/**
 * Cuts a person's events into sessions: advances their `state` (updated in place, no object per
 * event) with one event and returns the channel of the session it starts, or null. A session ends
 * after 30 minutes without any event of the person; a page that arrives from a campaign or another
 * site mid-session starts a new one (its channel differs), as Universal Analytics did; a direct page
 * mid-session does not.
 */
export function startsSession(
  state: SessionState,
  event: InsightEvent,
  time: number,
  rules: ChannelRules,
  timeout: number,
): Channel | null {
  const active = time - state.last <= timeout;
  if (active) state.last = time;
  if (event.type !== 'page') return null;
  const found = channelOf(event, rules);
  const switches = found !== null && found.channel !== 'direct' && found.channel !== state.channel;
  if (active && !switches) return null;
  const channel = found ?? DIRECT;
  state.last = time;
  state.channel = channel.channel;
  return channel;
}

/** Each event's touch (the first event of a session) or null, people kept apart. Memory: one entry per person. */
export function createSessionizer(
  options: SessionOptions = {},
): (event: InsightEvent, person: string, time: number) => Touch | null {
  const rules = channelRules(options);
  const timeout = options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS;
  const states = new Map<string, SessionState>();
  return (event, person, time) => {
    let state = states.get(person);
    if (!state) {
      state = new SessionState();
      states.set(person, state);
    }
    const channel = startsSession(state, event, time, rules, timeout);
    return channel && { person, time, ...channel };
  };
}
