/**
 * Decisions, the half of consent a page needs only when one is made (here, at another tab's, or at
 * erasure): making one, applying one, sending its record, forgetting everything after erasure. In the
 * privacy chunk, which loads at once on a page where a decision is due; consent.ts keeps what every page needs.
 */
import type { ConsentRecord } from '@tillit/schema';
import { backoffDelay } from './backoff.js';
import { postRecord } from './consent-records.js';
import { type Choice, choicesFor } from './consent-rules.js';
import { gpcOn, publicDecision } from './consent.js';
import { readDecision, saveDecision } from './decision-store.js';
import { UNSENT_KEY } from './delivery.js';
import { CAMPAIGN_KEY } from './events.js';
import { currentIdentity, ensureIdentity, ID_KEY, saveIdentity } from './identity.js';
import { uuidv7 } from './ids.js';
import type { PrivacyClient } from './privacy.js';
import { safe, warn } from './safe.js';
import { SESSION_KEY } from './session.js';
import { grantedNow, type State } from './state.js';
import type { ConsentSource, DecisionOptions } from './types.js';
import { destroyQueue } from './queue.js';
import { sanitizeUrl } from './url.js';

export interface Decisions {
  /** Records a decision: stores it, applies it, sends its record. */
  decide_(choice: Choice, options?: DecisionOptions, source?: ConsentSource): Promise<void>;
  /** The stored decision changed (another tab decided, erased, or stored a receipt): applies it here. */
  changed_(): void;
  /** Erasure done at the collector: nothing local may remain either. */
  forget_(): Promise<void>;
}

/** Nothing but the decision may remain: identity, session, unsent events, campaign and queue go. */
function wipe(s: State) {
  s.identity_ = s.visit_ = null;
  for (const key of [ID_KEY, UNSENT_KEY, SESSION_KEY]) s.local_.removeItem(key);
  s.session_.removeItem(CAMPAIGN_KEY);
  destroyQueue(s.queue_).catch(warn);
}

export function createDecisions(s: State, restore: PrivacyClient['restore']): Decisions {
  const { purposes_: purposes, policyVersion_: policyVersion } = s;

  const apply = (before: string[]) => {
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
      // At once: the flush opens the queue's database now, not under the page's first events (a burst
      // tracked while it opened was written as one record, then read back in one long task).
      s.delivery_!.schedule_(0);
    }
    s.events_!.decided_();
    const decision = publicDecision(s);
    for (const listener of s.listeners_) safe(listener)(decision);
  };

  /**
   * Records are proof, so 5xx, 429 and network errors are retried (on this page; the stored decision
   * keeps its record until a receipt comes, and the next page resends it).
   */
  const send = (record: ConsentRecord, retries = 0) =>
    postRecord(
      s.collectorUrl_,
      s.fetch_,
      () => saveIdentity(s),
      record,
      // After a withdrawal nothing is granted, but the withdrawal's record still names the identity.
      currentIdentity(s) ?? s.identity_,
      s.writeKey_,
      s.log_,
      () => s.decision_,
    )
      .then((acknowledged) => acknowledged && saveDecision(s))
      .catch((e) => {
        s.log_('consent record retry:', e);
        setTimeout(() => send(record, retries + 1), 1000 + backoffDelay(retries));
      });

  const decide = async (choice: Choice, options: DecisionOptions = {}, source = options.source ?? 'api') => {
    // set()'s names that are no purpose here are ignored (a function, acceptAll's, has no names to list).
    for (const k in choice) if (!purposes.includes(k)) s.log_('unknown purpose ignored:', k);
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
      purposes: choicesFor(purposes, choice),
      policyVersion,
      source,
      timestamp,
      textHash: options.textHash,
      locale: navigator.language,
      url: sanitizeUrl(location.href, s.urlDenylist_),
    };
    // Safari deleted the stored id (7 days without a visit), but the collector's identity cookie may hold
    // it: asked before the decision applies, so that the held events wait for it and never go out under a
    // new id. (Not once something was granted: a withdrawal applies at once.)
    const restored = s.serverCookie_ && !identity && (await restore(record, s.local_));
    s.decision_ = { purposes: record.purposes, policyVersion, source, decidedAt: timestamp, record };
    if (grantedNow(s).length && !identity) {
      // Made before the decision is stored, so another tab reacting to the decision finds it.
      const made = ensureIdentity(s, restored);
      record.anonymousId = made.id;
      record.userId = made.userId;
    }
    saveDecision(s);
    apply(before);
    send(record);
  };

  // On load: a record the last page left pending goes again; GPC with no stored choice refuses the GPC
  // purposes and records that refusal (other purposes stay undecided until the visitor chooses).
  if (s.decision_?.record) send(s.decision_.record);
  else if (!s.decision_ && gpcOn() && purposes.some((p) => s.gpcPurposes_.includes(p)))
    decide(() => false, {}, 'gpc').catch(warn);

  return {
    decide_: decide,
    changed_() {
      const before = grantedNow(s);
      const next = readDecision(s);
      const onlyReceipt = next && s.decision_ && next.decidedAt === s.decision_.decidedAt;
      s.decision_ = next;
      if (onlyReceipt) return; // nothing to apply
      s.identity_ = null;
      apply(before);
    },
    async forget_() {
      const before = grantedNow(s);
      s.decision_ = null;
      saveDecision(s);
      wipe(s);
      apply(before);
    },
  };
}
