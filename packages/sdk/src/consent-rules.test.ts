import { expect, it } from 'vitest';
import { choicesFor, grantedPurposes, purposeState, validDecision } from './consent-rules.js';
import type { ConsentDecision } from './types.js';

const DAY = 864e5;
const now = Date.UTC(2026, 5, 1);
const decision = (over: Partial<ConsentDecision> = {}): ConsentDecision => ({
  purposes: { analytics: true, marketing: false },
  policyVersion: 'v1',
  source: 'banner',
  decidedAt: new Date(now - DAY).toISOString(),
  ...over,
});

it('accepts a stored decision for the current policy within its lifetime', () => {
  expect(validDecision(JSON.stringify(decision()), 'v1', 182 * DAY, now)?.purposes.analytics).toBe(true);
});

it('treats a decision for another policy version as undecided', () => {
  expect(validDecision(JSON.stringify(decision()), 'v2', 182 * DAY, now)).toBeNull();
});

it('treats an expired decision as undecided, refusals included', () => {
  const old = decision({ purposes: { analytics: false }, decidedAt: new Date(now - 183 * DAY).toISOString() });
  expect(validDecision(JSON.stringify(old), 'v1', 182 * DAY, now)).toBeNull();
});

it('treats garbage and decisions from the future as undecided', () => {
  expect(validDecision('{nope', 'v1', DAY, now)).toBeNull();
  expect(validDecision(null, 'v1', DAY, now)).toBeNull();
  expect(
    validDecision(JSON.stringify(decision({ decidedAt: new Date(now + DAY).toISOString() })), 'v1', 9 * DAY, now),
  ).toBeNull();
});

it('leaves non-GPC purposes undecided under a decision made only by the GPC signal', () => {
  const gpc = decision({ source: 'gpc', purposes: { analytics: false, marketing: false } });
  expect(purposeState(gpc, 'marketing', ['marketing'])).toBe(false);
  expect(purposeState(gpc, 'analytics', ['marketing'])).toBeUndefined();
  expect(purposeState(null, 'analytics', ['marketing'])).toBeUndefined();
  expect(grantedPurposes(decision(), ['analytics', 'marketing'], [])).toEqual(['analytics']);
});

it('refuses every purpose not picked', () => {
  expect(choicesFor(['analytics', 'marketing', 'personalization'], (p) => p === 'analytics' || 'yes')).toEqual({
    analytics: true,
    marketing: false,
    personalization: false,
  });
  // set()'s object: only `true` grants; names that are no purpose are left out.
  expect(choicesFor(['analytics', 'marketing', 'personalization'], { analytics: true, marketing: 'yes', adverts: true })).toEqual(
    {
      analytics: true,
      marketing: false,
      personalization: false,
    },
  );
});
