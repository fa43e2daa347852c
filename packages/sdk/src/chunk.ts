/**
 * The lazily loaded chunk's entry (`tillit-privacy.js` for the script tag, a dynamic import for npm): the
 * privacy client and the decisions, over the core's state. The script-tag bundles share their mangled
 * property names (rollup.config.ts), so this chunk reads the same state object the core does.
 */
import { rare } from './calls.js';
import { createDecisions, type Decisions } from './decisions.js';
import { currentIdentity, saveIdentity } from './identity.js';
import { createPrivacy, type PrivacyClient } from './privacy.js';
import type { State } from './state.js';

export type Chunk = PrivacyClient & Decisions & ReturnType<typeof rare>;

export function openChunk(s: State): Chunk {
  const client = createPrivacy(
    s.collectorUrl_,
    s.fetch_,
    () => currentIdentity(s),
    () => decisions.forget_(),
    () => saveIdentity(s),
    s.serverCookie_,
  );
  const decisions = createDecisions(s, client.restore);
  return { ...client, ...decisions, ...rare(s) };
}
