/** The visitor's identity (anonymous id, subject secret, user id): exists only while something is granted. */
import { ID_COOKIE, readCookie } from './cookies.js';
import { secret, uuidv7 } from './ids.js';
import { parseJson } from './safe.js';
import { grantedNow, type Identity, type State, type User } from './state.js';

/** localStorage, after consent. */
export const ID_KEY = 'tillit_id';

/**
 * The identity, only while something is granted (read from storage on first use). With `cookieDomain`,
 * where this origin has none yet, the anonymous id another subdomain left in the domain cookie is
 * adopted, with a secret of this origin's own (secrets never travel in cookies: cookie-writer.ts).
 */
export function currentIdentity(s: State): Identity | null {
  if (!grantedNow(s).length) return null;
  if (!s.identity_) {
    const shared = s.cookieDomain_ && readCookie(ID_COOKIE);
    s.identity_ = parseJson<Identity>(s.local_.getItem(ID_KEY)) ?? (shared ? { id: shared, secret: secret() } : null);
    if (shared && !s.local_.getItem(ID_KEY)) saveIdentity(s);
  }
  return s.identity_;
}

/**
 * Stores the identity and syncs the cookies; a change that leaves a link to prove (identify(), the
 * secret acknowledged) proves it.
 */
export function saveIdentity(s: State) {
  if (s.identity_) {
    s.local_.setItem(ID_KEY, JSON.stringify(s.identity_));
    syncCookies(s);
    proveLink(s);
  }
}

/**
 * Proves the link of the anonymous id to the user id of identify() with the subject secret and the
 * site's userToken, through the privacy client (the collector lets a user's token reach a browser's
 * data only then): once the collector holds the secret (`sent`). A failure waits for the next page.
 */
export function proveLink(s: State) {
  const identity = currentIdentity(s);
  if (identity?.sent && identity.userToken)
    privacyChunk(s)
      .then((c) => c.link())
      .catch(s.log_);
}

/**
 * The identity, made and stored if there is none (after an expired decision, the stored one is reused).
 * `restored`, the id the collector's identity cookie kept with the new secret bound to it (consent.ts),
 * comes first: before the domain cookie's id, whose secret here would be one the collector never bound.
 */
export function ensureIdentity(s: State, restored?: unknown): Identity {
  let identity = !restored && currentIdentity(s);
  if (!identity) {
    // Anything but an identity (false, undefined) spreads nothing.
    identity = s.identity_ = { id: uuidv7(), secret: secret(), ...s.user_, ...(restored as Identity | undefined) };
    saveIdentity(s);
  }
  return identity;
}

/** The user as identify() and group() made it: the stored identity's once something is granted, else the page's. */
export const user = (s: State): User => currentIdentity(s) ?? s.user_;

/**
 * identify(), group() and reset(): the user id (and the token to prove it), traits, group go into the
 * identity too if there is one, else they live in this page's memory until consent.
 */
export function setUser(s: State, fields: User) {
  Object.assign(s.user_, fields);
  const identity = currentIdentity(s);
  if (identity) {
    Object.assign(identity, fields);
    saveIdentity(s);
  }
}

/**
 * Writes or deletes the configured cookies as the state is once the privacy chunk (which writes them,
 * cookie-writer.ts, and asks the collector for its identity cookie, server-cookie.ts) has loaded: after a
 * decision, an identity change, a withdrawal or an erasure.
 */
export const syncCookies = (s: State) =>
  (s.consentCookie_ || s.cookieDomain_ || s.serverCookie_) &&
  privacyChunk(s)
    .then((c) => c.cookies(s.decision_, s.decisionMaxAgeMs_, s.consentCookie_, s.cookieDomain_, currentIdentity(s)))
    .catch(s.log_);

/**
 * The privacy chunk, a microtask later: a decision (GPC) or a pending consent record can come while the
 * SDK is still being built, before the chunk's loader exists.
 */
export const privacyChunk = (s: State) => Promise.resolve().then(() => s.privacy_!());
