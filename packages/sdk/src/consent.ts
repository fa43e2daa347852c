/** Decisions: making one, applying one (also another tab's), and forgetting everything after erasure. */
import type { ConsentRecord } from '@tillit/schema';
import { choicesFor } from './consent-rules.js';
import { backoffDelay } from './backoff.js';
import { DECISION_KEY, readDecision, saveDecision } from './decision-store.js';
import type { Delivery } from './delivery.js';
import { UNSENT_KEY } from './delivery.js';
import { CAMPAIGN_KEY, type Events } from './events.js';
import { currentIdentity, ensureIdentity, ID_KEY, privacyChunk } from './identity.js';
import { uuidv7 } from './ids.js';
import { safe, warn } from './safe.js';
import { SESSION_KEY } from './session.js';
import { grantedNow, type State } from './state.js';
import type { ConsentDecision, ConsentSource, DecisionOptions } from './types.js';
import { sanitizeUrl } from './url.js';

export interface Consent {
  /** Records a decision (`pick(purpose) === true` grants it): stores it, applies it, sends its record. */
  decide_(pick: (purpose: string) => unknown, options?: DecisionOptions, source?: ConsentSource): Promise<void>;
  /** Erasure done at the collector: nothing local may remain either. */
  forget_(): Promise<void>;
}

/** Whether the browser sends Global Privacy Control. */
export const gpcOn = () => (navigator as { globalPrivacyControl?: boolean }).globalPrivacyControl === true;

/** A copy; while the collector has not acknowledged it, it still carries its consent record. */
export const publicDecision = (s: State): ConsentDecision | null => s.decision_ && { ...s.decision_ };

/**
 * Sends a consent record through the privacy chunk (consent-records.ts). Records are proof, so 5xx,
 * 429, network errors and a chunk that fails to load are retried (on this page; the stored decision
 * keeps its record until a receipt comes, and the next page resends it).
 */
function sendRecord(s: State, record: ConsentRecord, retries = 0) {
  privacyChunk(s)
    // After a withdrawal nothing is granted, but the withdrawal's record still names the identity.
    .then((c) => c.record(record, currentIdentity(s) ?? s.identity_, s.writeKey_, s.log_, () => s.decision_))
    .then((acknowledged) => acknowledged && saveDecision(s))
    .catch((e) => {
      s.log_('consent record retry:', e);
      setTimeout(() => sendRecord(s, record, retries + 1), 1000 + backoffDelay(retries));
    });
}

/** Nothing but the decision may remain: identity, session, unsent events, campaign and queue go. */
function wipe(s: State) {
  s.identity_ = null;
  for (const key of [ID_KEY, UNSENT_KEY, SESSION_KEY]) s.local_.removeItem(key);
  s.session_.removeItem(CAMPAIGN_KEY);
  s.queue_.destroy_().catch(warn);
}

/** Applies a decision change (from `before`, the purposes granted until now): identity, withdrawal, held events, listeners. */
function apply(s: State, delivery: Delivery, events: Events, before: string[]) {
  const now = grantedNow(s);
  const lost = before.filter((p) => !now.includes(p));
  if (!now.length) {
    // Refused or withdrawn: nothing but the decision may remain. (Undecided, e.g. a tab still on
    // an older policy version seeing this one's decision, deletes nothing.)
    if (s.decision_) wipe(s);
  } else {
    ensureIdentity(s);
    if (lost.length) {
      s.log_('withdrawn:', lost);
      s.queue_.read_().then((all) => s.queue_.remove_(all.filter((i) => lost.includes(i.p))), warn);
    }
    delivery.schedule_();
  }
  events.decided_();
  const decision = publicDecision(s);
  for (const listener of s.listeners_) safe(listener)(decision);
}

export function createConsent(s: State, delivery: Delivery, events: Events): Consent {
  const { purposes_: purposes, gpcPurposes_: gpcPurposes, policyVersion_: policyVersion } = s;
  const applyFrom = (before: string[]) => apply(s, delivery, events, before);

  const decide = async (pick: (purpose: string) => unknown, options: DecisionOptions = {}, source = options.source ?? 'api') => {
    try {
      const before = grantedNow(s);
      const identity = currentIdentity(s);
      const timestamp = new Date().toISOString();
      const record: ConsentRecord = {
        // One id per decision, kept with the pending record and sent with every retry (also by the
        // next page): the collector stores a record once per id, so a reload mid-request is harmless.
        recordId: uuidv7(),
        // A withdrawal names the subject it withdraws for; a first refusal has none.
        anonymousId: identity?.id ?? null,
        userId: identity?.userId,
        purposes: choicesFor(purposes, pick),
        policyVersion,
        source,
        timestamp,
        textHash: options.textHash,
        locale: navigator.language,
        url: sanitizeUrl(location.href, s.urlDenylist_),
      };
      // Safari deleted the stored id (7 days without a visit), but the collector's identity cookie may hold
      // it: asked (by the chunk, where no id is stored) before the decision applies, so that the held events
      // wait for it and never go out under a new id.
      // (Not once something was granted: a withdrawal applies at once.)
      const restored = s.serverCookie_ && !identity && (await privacyChunk(s).then((c) => c.restore(record, s.local_), s.log_));
      s.decision_ = { purposes: record.purposes, policyVersion, source, decidedAt: timestamp, record };
      if (grantedNow(s).length && !identity) {
        // Made before the decision is stored, so another tab reacting to the decision finds it.
        const made = ensureIdentity(s, restored);
        record.anonymousId = made.id;
        record.userId = made.userId;
      }
      saveDecision(s);
      applyFrom(before);
      sendRecord(s, record);
    } catch (e) {
      warn(e);
    }
  };

  // Another tab decided (or erased): apply its decision here too.
  addEventListener('storage', (e) => {
    if (e.key !== DECISION_KEY && e.key !== null) return;
    const before = grantedNow(s);
    const next = readDecision(s);
    const onlyReceipt = next && s.decision_ && next.decidedAt === s.decision_.decidedAt;
    s.decision_ = next;
    if (onlyReceipt) return; // nothing to apply
    s.identity_ = null;
    applyFrom(before);
  });

  if (s.decision_?.record) sendRecord(s, s.decision_.record);
  // GPC with no stored choice: the GPC purposes are refused and that refusal is recorded;
  // other purposes stay undecided until the visitor chooses.
  if (!s.decision_ && gpcOn() && purposes.some((p) => gpcPurposes.includes(p))) decide(() => false, {}, 'gpc');

  return {
    decide_: decide,
    async forget_() {
      const before = grantedNow(s);
      s.decision_ = null;
      saveDecision(s);
      wipe(s);
      applyFrom(before);
    },
  };
}
