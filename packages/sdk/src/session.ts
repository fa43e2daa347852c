/**
 * Sessions, as RudderStack's JavaScript SDK numbers them: `context.sessionId` is the session's start
 * time in ms (a number), `context.sessionStart: true` marks its first event, and a session ends after
 * `sessionTimeoutMs` without an event. Read and written only while an event is queued, so only after
 * consent; in localStorage rather than sessionStorage, so that the site's tabs share one session.
 */
import { parseJson } from './safe.js';
import type { State } from './state.js';

/** localStorage, after consent: `[session start, last event]`, in ms. */
export const SESSION_KEY = 'tillit_session';

/** The session fields of an event queued at `now` (and its activity stored); none while sessions are off. */
export function sessionContext(s: Pick<State, 'sessionTimeoutMs_' | 'local_' | 'visit_'>, now: number) {
  if (s.sessionTimeoutMs_ > 0) {
    // Within a second of the last event another tab writes nothing (below), so the pair read or written
    // then still holds: storage is read at most once a second (a read was ~10 % of track()).
    if (!(now - (s.visit_?.[1] as number) < 1e3)) s.visit_ = parseJson<number[]>(s.local_.getItem(SESSION_KEY)) ?? [];
    let [sessionId, last] = s.visit_!;
    // Nothing stored (NaN) starts one too.
    const sessionStart = !(now - last! < s.sessionTimeoutMs_) || undefined;
    if (sessionStart) sessionId = now;
    // At most once a second: a write costs ~40 µs of main thread in Chromium, and per event it was the
    // largest part of track(); a session so ends up to a second before its timeout says.
    if (sessionStart || !(now - last! < 1e3)) {
      s.visit_ = [sessionId!, now];
      s.local_.setItem(SESSION_KEY, JSON.stringify(s.visit_));
    }
    return { sessionId, sessionStart };
  }
}
