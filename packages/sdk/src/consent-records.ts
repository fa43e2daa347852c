/**
 * Consent records: proof of each decision (Art. 7(1)), sent to the collector's append-only log. This
 * half is in the privacy chunk (a decision is made about once per visitor, so every other page load
 * skips its bytes); decisions.ts sends, retries, and stores the decision with its receipt.
 */
import type { ConsentRecord } from '@tillit/schema';
import type { StoredDecision } from './consent-rules.js';
import type { Identity } from './state.js';

/**
 * POSTs one record, with the subject secret while the collector has not acknowledged it (`sent`: then
 * proveLink may send a link proof). The receipt id replaces the record in the current decision if that
 * is still the record's: then it resolves true, for the caller to store the decision. A record the
 * collector refused (4xx) is logged and dropped; 5xx, 429 and network errors reject, for the caller to retry.
 */
export async function postRecord(
  base: string,
  f: typeof fetch,
  save: () => void,
  record: ConsentRecord,
  identity: Identity | null,
  writeKey: string,
  log: (...a: unknown[]) => void,
  decision: () => StoredDecision | null,
): Promise<boolean | undefined> {
  const withSecret = !!identity && !identity.sent && record.anonymousId === identity.id;
  const body = { ...record, writeKey, secret: withSecret ? identity.secret : undefined };
  // As transport.ts's deliver posts (a string body: no preflight), with keepalive so that leaving the page does not cut it.
  const res = await f(`${base}/v1/consent`, { method: 'POST', body: JSON.stringify(body), credentials: 'omit', keepalive: true });
  if (res.status > 499 || res.status === 429) throw res.status;
  if (!res.ok) return void log('consent record dropped:', res.status);
  const { receiptId } = (await res.json()) as { receiptId: string };
  if (withSecret) {
    identity.sent = 1;
    save(); // and the collector knows the secret now: an identify() before this proves its link
  }
  const current = decision();
  if (current?.record?.timestamp === record.timestamp) {
    delete current.record;
    current.receiptId = receiptId;
    return true;
  }
}
