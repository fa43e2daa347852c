/** Consent records: proof of each decision (Art. 7(1)), sent to the collector's append-only log. */
import type { ConsentRecord } from '@tillit/schema';
import { backoffDelay } from './backoff.js';
import { saveDecision } from './decision-store.js';
import { currentIdentity, saveIdentity } from './identity.js';
import type { State } from './state.js';
import { post } from './transport.js';

/**
 * Sends a consent record. Records are proof, so 5xx, 429 and network errors are retried (on this
 * page; the stored decision keeps its record until a receipt comes, and the next page resends it).
 */
export function sendRecord(s: State, record: ConsentRecord, retries = 0): Promise<void> {
  // After a withdrawal nothing is granted, but the withdrawal's record still names the identity.
  const identity = currentIdentity(s) ?? s.identity_;
  const withSecret = !!identity && !identity.sent && record.anonymousId === identity.id;
  const body = { ...record, writeKey: s.writeKey_, secret: withSecret ? identity.secret : undefined };
  return post(s.fetch_, `${s.collectorUrl_}/v1/consent`, body, true)
    .then(async (res) => {
      if (res.status > 499 || res.status === 429) throw res.status;
      if (!res.ok) return void s.log_('consent record dropped:', res.status);
      const { receiptId } = (await res.json()) as { receiptId: string };
      if (withSecret) {
        identity.sent = 1;
        saveIdentity(s);
      }
      const { decision_: decision } = s;
      if (decision?.record?.timestamp === record.timestamp) {
        delete decision.record;
        decision.receiptId = receiptId;
        saveDecision(s);
      }
    })
    .catch((e) => {
      s.log_('consent record retry:', e);
      setTimeout(() => sendRecord(s, record, retries + 1), 1000 + backoffDelay(retries));
    });
}
