/**
 * Consent, the half every page needs: the decision's state, another tab's decision, a pending record
 * resent, GPC. Making and applying a decision is in the privacy chunk (decisions.ts), loaded at once
 * on a page where a decision is due, else when one is made.
 */
import { DECISION_KEY, readDecision } from './decision-store.js';
import { privacyChunk } from './identity.js';
import { warn } from './safe.js';
import { grantedNow, type State } from './state.js';
import type { ConsentDecision, ConsentSource, DecisionOptions } from './types.js';

/** Whether the browser sends Global Privacy Control. */
export const gpcOn = () => (navigator as { globalPrivacyControl?: boolean }).globalPrivacyControl === true;

/** A copy; while the collector has not acknowledged it, it still carries its consent record. */
export const publicDecision = (s: State): ConsentDecision | null => s.decision_ && { ...s.decision_ };

/** Records a decision (`pick(purpose) === true` grants it), through the privacy chunk: resolves once stored locally. */
export const decide = (s: State, pick: (purpose: string) => unknown, options?: DecisionOptions, source?: ConsentSource) =>
  privacyChunk(s)
    .then((c) => c.decide_(pick, options, source))
    .catch(warn);

/** Applies another tab's decisions here, resends a pending record, and records the GPC refusal. */
export function watchConsent(s: State) {
  // Another tab decided (or erased): apply its decision here too.
  addEventListener('storage', (e) => {
    if (e.key !== DECISION_KEY && e.key !== null) return;
    const before = grantedNow(s);
    const next = readDecision(s);
    const onlyReceipt = next && s.decision_ && next.decidedAt === s.decision_.decidedAt;
    s.decision_ = next;
    if (onlyReceipt) return; // nothing to apply
    s.identity_ = null;
    privacyChunk(s)
      .then((c) => c.apply_(before))
      .catch(warn);
  });

  const record = s.decision_?.record;
  // A chunk that fails to load leaves the record with the stored decision: the next page sends it.
  if (record)
    privacyChunk(s)
      .then((c) => c.send_(record))
      .catch(s.log_);
  // GPC with no stored choice: the GPC purposes are refused and that refusal is recorded;
  // other purposes stay undecided until the visitor chooses.
  if (!s.decision_ && gpcOn() && s.purposes_.some((p) => s.gpcPurposes_.includes(p))) decide(s, () => false, {}, 'gpc');
}
