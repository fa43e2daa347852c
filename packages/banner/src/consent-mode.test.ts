import { beforeEach, expect, it } from 'vitest';
import { consentMode, consentState } from './consent-mode.js';

type W = { dataLayer?: unknown[]; gtag?: unknown };
const w = window as unknown as W;
beforeEach(() => {
  delete w.dataLayer;
  delete w.gtag;
});
// gtag.js reads Arguments objects; compare their contents.
const pushed = () => (w.dataLayer ?? []).map((a) => Array.from(a as ArrayLike<unknown>));

it('maps the default purposes to Google consent types, necessary types always granted', () => {
  expect(consentState((p) => p === 'marketing')).toEqual({
    functionality_storage: 'granted',
    security_storage: 'granted',
    analytics_storage: 'denied',
    ad_storage: 'granted',
    ad_user_data: 'granted',
    ad_personalization: 'granted',
    personalization_storage: 'denied',
  });
});

it('grants a type when any purpose mapped to it is granted', () => {
  const map = { analytics: ['analytics_storage', 'ad_user_data'], marketing: ['ad_storage', 'ad_user_data'] };
  expect(consentState((p) => p === 'analytics', map)).toMatchObject({ ad_user_data: 'granted', ad_storage: 'denied' });
  expect(consentState(() => false, map)).toMatchObject({ ad_user_data: 'denied', analytics_storage: 'denied' });
});

it('pushes the default at once as Arguments, like Google’s snippet, and an update on demand', () => {
  let granted = false;
  const update = consentMode(() => granted, { waitForUpdate: 800 });
  expect(Object.prototype.toString.call(w.dataLayer![0])).toBe('[object Arguments]');
  expect(pushed()).toEqual([
    [
      'consent',
      'default',
      {
        functionality_storage: 'granted',
        security_storage: 'granted',
        analytics_storage: 'denied',
        ad_storage: 'denied',
        ad_user_data: 'denied',
        ad_personalization: 'denied',
        personalization_storage: 'denied',
        wait_for_update: 800,
      },
    ],
  ]);
  granted = true;
  update();
  expect(pushed()[1]).toEqual([
    'consent',
    'update',
    expect.objectContaining({ analytics_storage: 'granted', ad_storage: 'granted' }),
  ]);
});

it('uses the page’s own gtag when there is one', () => {
  const seen: unknown[][] = [];
  w.gtag = (...args: unknown[]) => seen.push(args);
  consentMode(() => false);
  expect(seen[0]!.slice(0, 2)).toEqual(['consent', 'default']);
  expect(w.dataLayer).toEqual([]);
});
