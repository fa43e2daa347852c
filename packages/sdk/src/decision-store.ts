/** Where the decision is kept: localStorage, and the first-party cookie when configured. */
import { validDecision } from './consent-rules.js';
import { readCookie } from './cookies.js';
import { syncCookies } from './identity.js';
import type { State } from './state.js';

/** localStorage key and cookie name: the decision is strictly necessary state. */
export const DECISION_KEY = 'tillit_consent';

/** The stored decision, if it is still valid (same policy version, not expired). */
export function readDecision(s: State) {
  const raw = s.local_.getItem(DECISION_KEY) ?? (s.consentCookie_ ? readCookie(DECISION_KEY) : null);
  return validDecision(raw, s.policyVersion_, s.decisionMaxAgeMs_, Date.now());
}

/** Stores the decision in localStorage (with no decision, after erasure, deletes it), and syncs the cookies. */
export function saveDecision(s: State) {
  const { decision_: decision } = s;
  if (decision) s.local_.setItem(DECISION_KEY, JSON.stringify(decision));
  else s.local_.removeItem(DECISION_KEY);
  syncCookies(s);
}
