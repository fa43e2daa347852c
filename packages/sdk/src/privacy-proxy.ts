/** `tillit.privacy`: the privacy client, loaded on first use and only once there is a subject. */
import type { openChunk } from './chunk.js';
import { currentIdentity } from './identity.js';
import type { State } from './state.js';
import type { Tillit, TillitPrivacy } from './types.js';

/** Loads the privacy chunk: a dynamic import (npm) or `tillit-privacy.js` (script tag). */
export type PrivacyLoader = () => Promise<typeof openChunk>;

type Method = (...a: unknown[]) => Promise<unknown>;

/** `tillit.privacy`, and `setAnonymousId`, which the privacy client's chunk carries too. */
export function privacyProxy(s: State, load: PrivacyLoader): TillitPrivacy & Pick<Tillit, 'setAnonymousId'> {
  const subject = () => currentIdentity(s);
  let client: ReturnType<NonNullable<State['privacy_']>> | undefined;
  s.privacy_ = () =>
    (client ??= load().then(
      (open) => open(s),
      (e) => {
        client = undefined; // a failed load is tried again on the next call
        throw e;
      },
    ));
  const proxy = {} as Record<keyof TillitPrivacy | 'setAnonymousId', Method>;
  for (const method of ['access', 'export', 'erase', 'portalUrl', 'setAnonymousId'] as const)
    proxy[method] = async (...args) => {
      // Before consent nothing is fetched.
      if (!subject()) {
        if (method === 'portalUrl') return null;
        throw Error('[tillit] no identifier: nothing granted');
      }
      return ((await s.privacy_!())[method] as Method)(...args);
    };
  s.adopt_ = proxy.setAnonymousId as State['adopt_'];
  return proxy as ReturnType<typeof privacyProxy>;
}
