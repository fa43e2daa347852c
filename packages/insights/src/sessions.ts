import { type Channel, type ChannelRules, channelReader, DEFAULT_CHANNEL_RULES } from './channels.js';
import type { InsightEvent } from './types.js';

export interface SessionOptions {
  channels?: Partial<ChannelRules>;
  /** Inactivity that ends a session. Default 30 minutes. */
  sessionTimeoutMs?: number;
}

export const DEFAULT_SESSION_TIMEOUT_MS = 30 * 60_000;

/** How sessions are cut: the channel of a page (channel rules, remembered per URL) and the inactivity timeout. */
export interface SessionRules {
  readChannel: (event: InsightEvent) => Channel | null;
  timeout: number;
}

export function sessionRules(options: SessionOptions): SessionRules {
  return {
    readChannel: channelReader({ ...DEFAULT_CHANNEL_RULES, ...options.channels }),
    timeout: options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS,
  };
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
export function startsSession(state: SessionState, event: InsightEvent, time: number, rules: SessionRules): Channel | null {
  const active = time - state.last <= rules.timeout;
  if (active) state.last = time;
  if (event.type !== 'page') return null;
  const found = rules.readChannel(event);
  const switches = found !== null && found.channel !== 'direct' && found.channel !== state.channel;
  if (active && !switches) return null;
  const channel = found ?? DIRECT;
  state.last = time;
  state.channel = channel.channel;
  return channel;
}
