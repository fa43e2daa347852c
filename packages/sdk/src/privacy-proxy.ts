/** `tillit.privacy`: the privacy client, loaded on first use and only once there is a subject. */
import { currentIdentity } from './identity.js';
import type { createPrivacy } from './privacy.js';
import type { State } from './state.js';
import type { TillitPrivacy } from './types.js';

/** Loads the privacy client: a dynamic import (npm) or `tillit-privacy.js` (script tag). */
export type PrivacyLoader = () => Promise<typeof createPrivacy>;

type Method = (...a: unknown[]) => Promise<unknown>;

export function privacyProxy(s: State, load: PrivacyLoader, forget: () => Promise<void>): TillitPrivacy {
  const subject = () => currentIdentity(s);
  let client: Promise<TillitPrivacy> | undefined;
  const proxy = {} as Record<keyof TillitPrivacy, Method>;
  for (const method of ['access', 'export', 'erase', 'portalUrl'] as const)
    proxy[method] = async (...args) => {
      // Before consent nothing is fetched.
      if (!subject()) {
        if (method === 'portalUrl') return null;
        throw Error('[tillit] no identifier: nothing was granted');
      }
      client ??= load().then(
        (make) => make(s.collectorUrl_, s.fetch_, subject, forget),
        (e) => {
          client = undefined; // a failed load is tried again on the next call
          throw e;
        },
      );
      return ((await client)[method] as Method)(...args);
    };
  return proxy as TillitPrivacy;
}
