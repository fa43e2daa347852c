/**
 * Consent, the half every page needs: the decision's state. Making and applying a decision (this tab's or
 * another's) is in the privacy chunk (decisions.ts), loaded at once on a page where a decision is due or a
 * record pending, else when one is made.
 */
import type { Choice } from './consent-rules.js';
import { DECISION_KEY } from './decision-store.js';
import { privacyChunk } from './identity.js';
import { warn } from './safe.js';
import type { State } from './state.js';
import type { ConsentDecision, ConsentSource, DecisionOptions } from './types.js';

/** Whether the browser sends Global Privacy Control. */
export const gpcOn = () => (navigator as { globalPrivacyControl?: boolean }).globalPrivacyControl === true;

/** A copy; while the collector has not acknowledged it, it still carries its consent record. */
export const publicDecision = (s: State): ConsentDecision | null => s.decision_ && { ...s.decision_ };

/** Records a decision, through the privacy chunk: resolves once stored locally. */
export const decide = (s: State, choice: Choice, options?: DecisionOptions, source?: ConsentSource) =>
  privacyChunk(s)
    .then((c) => c.decide_(choice, options, source))
    .catch(warn);

/**
 * Another tab decided (or erased): its decision applies here too, in the privacy chunk (decisions.ts), which
 * also resends a pending record and records the GPC refusal when it loads.
 */
export const watchConsent = (s: State) =>
  addEventListener('storage', (e) => {
    if (e.key === DECISION_KEY || e.key === null)
      privacyChunk(s)
        .then((c) => c.changed_())
        .catch(warn);
  });
