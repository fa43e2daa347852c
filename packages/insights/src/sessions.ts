import { type Channel, type ChannelRules, channelOf, DEFAULT_CHANNEL_RULES } from './channels.js';
import type { Scanned } from './scan.js';

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

/**
 * Cuts each person's events into sessions and returns, for each event, the touch that starts a
 * session (or null). A session ends after 30 minutes without any event of the person; a page that
 * arrives from a campaign or another site mid-session starts a new one (its channel differs), as
 * Universal Analytics did; a direct page mid-session does not. Memory: one entry per person.
 */
export function createSessionizer(options: SessionOptions = {}): (scanned: Scanned) => Touch | null {
  const rules = channelRules(options);
  const timeout = options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS;
  const open = new Map<string, { last: number; channel: string }>();
  return ({ event, person, time }) => {
    const current = open.get(person);
    const active = current !== undefined && time - current.last <= timeout;
    if (active) current.last = time;
    if (event.type !== 'page') {
      return null;
    }
    const found = channelOf(event, rules);
    const switches = found !== null && found.channel !== 'direct' && found.channel !== current?.channel;
    if (active && !switches) return null;
    const channel = found ?? { channel: 'direct' };
    open.set(person, { last: time, channel: channel.channel });
    return { person, time, ...channel };
  };
}
