/** An in-memory `Tillit` for the banner's unit tests: records calls, and can act as "another tab". */
import type { CallResult, ConsentDecision, DecisionOptions, PurposeChoices, Tillit, TillitConsent } from '@tillit/sdk';

export interface FakeTillit extends Tillit {
  calls: { method: 'set' | 'acceptAll' | 'rejectAll'; choices: PurposeChoices; options: DecisionOptions | undefined }[];
  /** Changes the decision as another tab would: no call recorded, listeners told. */
  external(decision: ConsentDecision | null): void;
}

export function fakeTillit(
  purposes = ['analytics', 'marketing', 'personalization'],
  initial: PurposeChoices | null = null,
): FakeTillit {
  const decisionOf = (choices: PurposeChoices, source: DecisionOptions['source'] = 'api'): ConsentDecision => ({
    purposes: Object.fromEntries(purposes.map((p) => [p, choices[p] === true])),
    policyVersion: '1',
    source,
    decidedAt: new Date().toISOString(),
  });
  let decision: ConsentDecision | null = initial && decisionOf(initial);
  const listeners = new Set<(d: ConsentDecision | null) => void>();
  const calls: FakeTillit['calls'] = [];
  const record = async (method: FakeTillit['calls'][number]['method'], choices: PurposeChoices, options?: DecisionOptions) => {
    decision = decisionOf(choices, options?.source);
    calls.push({ method, choices: decision.purposes, options });
    for (const l of listeners) l(decision);
  };
  const all = (value: boolean) => Object.fromEntries(purposes.map((p) => [p, value]));
  const consent: TillitConsent = {
    get: () => decision,
    needsDecision: () => decision === null,
    isGranted: (p) => p === 'necessary' || decision?.purposes[p] === true,
    purposes: () => [...purposes],
    set: (choices, options) => record('set', choices, options),
    acceptAll: (options) => record('acceptAll', all(true), options),
    rejectAll: (options) => record('rejectAll', all(false), options),
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return {
    version: '0.0.0-test',
    consent,
    privacy: {
      access: async () => ({}),
      export: async () => {},
      erase: async () => ({ receiptId: 'r' }),
      portalUrl: async () => null,
    },
    track: none,
    page: none,
    screen: none,
    identify: none,
    group: none,
    alias: none,
    reset() {},
    user: () => ({ id: () => null, anonymousId: () => null, traits: () => ({}) }),
    ready: async () => {},
    addSourceMiddleware() {},
    anonymousId: () => null,
    setAnonymousId: async () => {},
    flush: async () => {},
    calls,
    external(d) {
      decision = d;
      for (const l of listeners) l(d);
    },
  };
}

/** An event call that records nothing. */
const none = async (): Promise<CallResult> => ({ status: 'dropped', reason: 'fake' });

export const decided = (purposes: PurposeChoices): ConsentDecision => ({
  purposes,
  policyVersion: '1',
  source: 'banner',
  decidedAt: new Date().toISOString(),
});
