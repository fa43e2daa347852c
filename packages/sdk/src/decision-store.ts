/** Where the decision is kept: localStorage, and the first-party cookie when configured. */
import { validDecision } from './consent-rules.js';
import type { State } from './state.js';

/** localStorage key and cookie name: the decision is strictly necessary state. */
export const DECISION_KEY = 'tillit_consent';

/** The stored decision, if it is still valid (same policy version, not expired). */
export function readDecision(s: State) {
  const cookie = s.consentCookie_ && /(?:^|;\s*)tillit_consent=([^;]*)/.exec(document.cookie)?.[1];
  const raw = s.local_.getItem(DECISION_KEY) ?? (cookie ? decodeURIComponent(cookie) : null);
  return validDecision(raw, s.policyVersion_, s.decisionMaxAgeMs_, Date.now());
}

/**
 * Stores the decision in localStorage, and in the cookie when configured; with no decision (after
 * erasure) deletes both. The cookie leaves out the pending record (it travels with every request to
 * the site); a deletion needs the same domain and path, and max-age -1, not 0, which can leave the
 * cookie for the rest of the millisecond (happy-dom does).
 */
export function saveDecision(s: State) {
  const { decision_: decision, consentCookie_: cookie } = s;
  if (decision) s.local_.setItem(DECISION_KEY, JSON.stringify(decision));
  else s.local_.removeItem(DECISION_KEY);
  if (cookie)
    // biome-ignore lint/suspicious/noDocumentCookie: the Cookie Store API is missing in Safari and Firefox
    document.cookie = `${DECISION_KEY}=${
      decision ? encodeURIComponent(JSON.stringify(decision, (k, v) => (k === 'record' ? undefined : v))) : ''
    };path=/;max-age=${decision ? (s.decisionMaxAgeMs_ / 1000) | 0 : -1};samesite=lax${
      location.protocol === 'https:' ? ';secure' : ''
    }${typeof cookie === 'object' && cookie.domain ? `;domain=${cookie.domain}` : ''}`;
}
