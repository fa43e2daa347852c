/** The visitor's identity (anonymous id, subject secret, user id): exists only while something is granted. */
import { secret, uuidv7 } from './ids.js';
import { parseJson } from './safe.js';
import { grantedNow, type Identity, type State } from './state.js';

/** localStorage, after consent. */
export const ID_KEY = 'tillit_id';

/** The identity, only while something is granted (read from storage on first use). */
export function currentIdentity(s: State): Identity | null {
  if (!grantedNow(s).length) return null;
  s.identity_ ??= parseJson<Identity>(s.local_.getItem(ID_KEY));
  return s.identity_;
}

export const saveIdentity = (s: State) => s.identity_ && s.local_.setItem(ID_KEY, JSON.stringify(s.identity_));

/** The identity, made and stored if there is none (after an expired decision, the stored one is reused). */
export function ensureIdentity(s: State): Identity {
  let identity = currentIdentity(s);
  if (!identity) {
    identity = s.identity_ = { id: uuidv7(), secret: secret(), userId: s.userId_ };
    saveIdentity(s);
  }
  return identity;
}

/** identify() and reset(): the user id goes into the identity too, if there is one. */
export function setUserId(s: State, userId: string | undefined) {
  s.userId_ = userId;
  const identity = currentIdentity(s);
  if (identity) {
    identity.userId = userId;
    saveIdentity(s);
  }
}
