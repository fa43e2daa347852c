// Event builders for this package's unit tests (not exported by the package).
import type { InsightEvent } from './types.js';
import { DAY_MS } from './types.js';

export const T0 = Date.UTC(2026, 0, 5); // a Monday
export const HOUR_MS = 3_600_000;

/** T0 + days (+ hours). */
export const at = (days: number, hours = 0) => T0 + days * DAY_MS + hours * HOUR_MS;

const ALL = ['analytics', 'personalization'];

interface Common {
  purposes?: string[] | null;
  anonymousId?: string;
}

function base(person: string, time: number, { purposes = ALL, anonymousId }: Common) {
  return {
    ...(person.startsWith('anon-') ? { anonymousId: person } : { userId: person, ...(anonymousId ? { anonymousId } : {}) }),
    timestamp: new Date(time).toISOString(),
    ...(purposes ? { context: { consent: { purposes, policyVersion: '1' } } } : {}),
  };
}

export function page(
  person: string,
  time: number,
  from: { source?: string; medium?: string; referrer?: string } = {},
  common: Common = {},
): InsightEvent {
  const event = base(person, time, common);
  const campaign = from.source ? { source: from.source, ...(from.medium ? { medium: from.medium } : {}) } : undefined;
  return {
    type: 'page',
    ...event,
    context: {
      ...event.context,
      page: { url: 'https://shop.example/', ...(from.referrer ? { referrer: from.referrer } : {}) },
      ...(campaign ? { campaign } : {}),
    },
  };
}

export function order(person: string, time: number, revenue: number, products: string[] = [], common: Common = {}): InsightEvent {
  return {
    type: 'track',
    event: 'Order Completed',
    ...base(person, time, common),
    properties: { revenue, products: products.map((product_id) => ({ product_id })) },
  };
}

export function survey(person: string, time: number, score: number, comment?: string, common: Common = {}): InsightEvent {
  return {
    type: 'track',
    event: 'Survey Responded',
    ...base(person, time, common),
    properties: { score, ...(comment ? { comment } : {}) },
  };
}

export function identify(anonymousId: string, userId: string, time: number, common: Common = {}): InsightEvent {
  return { type: 'identify', ...base(userId, time, { ...common, anonymousId }) };
}
