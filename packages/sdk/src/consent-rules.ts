/** Consent rules with no platform access: which stored decision counts, and what it grants. */
import type { ConsentRecord, ConsentSource as WireSource } from '@tillit/schema';
import type { ConsentDecision, ConsentSource, PurposeChoices } from './types.js';

// The public ConsentSource must stay the wire format's: this fails to compile if they drift apart.
export const SOURCES_MATCH: [ConsentSource, WireSource] extends [WireSource, ConsentSource] ? true : never = true;

/** The decision as kept in localStorage: plus the consent record until the collector has a receipt for it. */
export interface StoredDecision extends ConsentDecision {
  record?: ConsentRecord;
}

/** A purpose's state: granted, denied, or not decided yet (undefined). */
export type PurposeState = boolean | undefined;

/** Parses a stored decision; null when absent, unreadable, expired or for another policy version. */
export function validDecision(
  raw: string | null | undefined,
  policyVersion: string,
  maxAgeMs: number,
  now: number,
): StoredDecision | null {
  try {
    const d = JSON.parse(raw ?? 'null') as StoredDecision | null;
    const at = Date.parse(d?.decidedAt ?? '');
    return d?.policyVersion === policyVersion && at <= now && now - at < maxAgeMs ? d : null;
  } catch {
    return null;
  }
}

/**
 * A purpose's state under a decision. A decision recorded only because the browser sends Global
 * Privacy Control (source 'gpc') decides the GPC purposes and leaves the others undecided.
 */
export function purposeState(d: ConsentDecision | null, purpose: string, gpcPurposes: readonly string[]): PurposeState {
  if (!d || (d.source === 'gpc' && !gpcPurposes.includes(purpose))) return undefined;
  return d.purposes[purpose] === true;
}

/** The granted purposes, in configured order. */
export const grantedPurposes = (d: ConsentDecision | null, purposes: readonly string[], gpc: readonly string[]) =>
  purposes.filter((p) => purposeState(d, p, gpc));

/** What a decision grants: `set()`'s object of choices, or a function of the purpose (`true` grants). */
export type Choice = Record<string, unknown> | ((purpose: string) => unknown);

/**
 * Every configured purpose with a boolean: the named ones as given, the others refused.
 * With `acceptAll`, GPC purposes stay refused while the browser sends GPC: only an explicit
 * choice of that purpose (`set({marketing: true})`) overrides the signal.
 */
export function choicesFor(purposes: readonly string[], choice: Choice): PurposeChoices {
  const out: PurposeChoices = {};
  for (const p of purposes) out[p] = (typeof choice === 'function' ? choice(p) : choice[p]) === true;
  return out;
}
