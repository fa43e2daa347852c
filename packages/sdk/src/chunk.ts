/**
 * The lazily loaded chunk's entry (`tillit-privacy.js` for the script tag, a dynamic import for npm): the
 * privacy client and the decisions, over the core's state. The script-tag bundles share their mangled
 * property names (rollup.config.ts), so this chunk reads the same state object the core does.
 */
import { rare } from './calls.js';
import { createDecisions, type Decisions } from './decisions.js';
import { currentIdentity, saveIdentity } from './identity.js';
import { createPrivacy, type PrivacyClient } from './privacy.js';
import type { QueueItem } from './queue-policy.js';
import type { State } from './state.js';
import type { Delivery, TransportOptions } from './transport.js';

export type Chunk = PrivacyClient & Decisions & ReturnType<typeof rare> & { split_: ReturnType<typeof splitBatch> };

/** A batch the collector answered 413: sent in halves through the core's deliver, which splits each again while it is too large. */
export const splitBatch =
  (s: Pick<State, 'deliver_'> & TransportOptions) =>
  async (items: QueueItem[], keepalive?: boolean): Promise<Delivery> => {
    const half = items.length >> 1;
    const first = await s.deliver_!(items.slice(0, half), s, keepalive);
    if (first.retry_ !== undefined) return first;
    const second = await s.deliver_!(items.slice(half), s, keepalive);
    return { done_: first.done_.concat(second.done_), retry_: second.retry_ };
  };

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
  return { ...client, ...decisions, ...rare(s), split_: splitBatch(s) };
}
