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

/** Sets (or, with a negative max-age, deletes) the cookie: a deletion needs the same domain and path. */
function writeCookie(s: State, value: string, maxAgeSeconds: number) {
  const { consentCookie_: consentCookie } = s;
  // biome-ignore lint/suspicious/noDocumentCookie: the Cookie Store API is missing in Safari and Firefox
  document.cookie = `${DECISION_KEY}=${value};path=/;max-age=${maxAgeSeconds};samesite=lax${
    location.protocol === 'https:' ? ';secure' : ''
  }${typeof consentCookie === 'object' && consentCookie.domain ? `;domain=${consentCookie.domain}` : ''}`;
}

export function saveDecision(s: State) {
  const { decision_: decision } = s;
  s.local_.setItem(DECISION_KEY, JSON.stringify(decision));
  // Without the pending record: the cookie travels with every request to the site.
  if (s.consentCookie_ && decision)
    writeCookie(
      s,
      encodeURIComponent(JSON.stringify(decision, (k, v) => (k === 'record' ? undefined : v))),
      (s.decisionMaxAgeMs_ / 1000) | 0,
    );
}

export function deleteDecision(s: State) {
  s.local_.removeItem(DECISION_KEY);
  // -1, not 0: a max-age of 0 can leave the cookie for the rest of the millisecond (happy-dom does).
  if (s.consentCookie_) writeCookie(s, '', -1);
}
