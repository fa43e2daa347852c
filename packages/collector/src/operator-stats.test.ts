import { expect, it } from 'vitest';
import { consentStats, dailyActivity } from './operator-stats.js';
import type { EventRow } from './store.js';

const row = (day: number, fields: Partial<EventRow>): EventRow => ({
  messageId: `m${Math.random()}`,
  site: 's',
  type: 'page',
  event: null,
  anonymousId: null,
  userId: null,
  timestamp: Date.UTC(2026, 0, day, 12),
  receivedAt: 0,
  payload: '{}',
  ...fields,
});

async function* stream(rows: EventRow[]) {
  yield* rows;
}

it('counts events, distinct visitors and orders per UTC day', async () => {
  const rows = [
    row(1, { anonymousId: 'a' }),
    row(1, { anonymousId: 'a', type: 'track', event: 'Order Completed' }),
    row(1, { anonymousId: 'b', type: 'track', event: 'Product Viewed' }),
    row(3, { userId: 'u' }),
  ];
  expect(await dailyActivity(stream(rows), ['Order Completed'])).toEqual([
    { day: '2026-01-01', events: 3, visitors: 2, orders: 1 },
    { day: '2026-01-03', events: 1, visitors: 1, orders: 0 },
  ]);
});

it('splits decisions into accept all, reject all and custom, with rates per purpose, locale and day, and the GPC share', () => {
  const d = (purposes: object, source: string, locale: string | null, day: number) => ({
    purposes: JSON.stringify(purposes),
    source,
    locale,
    decidedAt: new Date(Date.UTC(2026, 0, day, 9)).toISOString(),
  });
  const rows = [
    d({ analytics: true, marketing: true }, 'banner', 'sv-SE', 1),
    d({ analytics: false, marketing: false }, 'banner', 'en-GB', 1),
    d({ analytics: true, marketing: false }, 'gpc', 'sv-SE', 2),
    d({ analytics: true, marketing: true, necessary: true }, 'portal', null, 2),
  ];
  const stats = consentStats(rows);
  expect(stats.purposes).toEqual(['analytics', 'marketing']);
  expect(stats.funnel).toEqual({
    decisions: 4,
    acceptAll: 2,
    rejectAll: 1,
    custom: 1,
    rates: { analytics: 0.75, marketing: 0.5 },
  });
  expect(stats.gpcShare).toBe(0.25);
  expect(stats.byLocale.map((g) => [g.locale, g.decisions, g.rates.analytics])).toEqual([
    ['sv-se', 2, 1],
    ['en-gb', 1, 0],
    ['unknown', 1, 1],
  ]);
  expect(stats.overTime.map((g) => [g.day, g.acceptAll, g.rejectAll, g.custom])).toEqual([
    ['2026-01-01', 1, 1, 0],
    ['2026-01-02', 1, 0, 1],
  ]);
  // The period is by the time of the decision, to exclusive.
  expect(consentStats(rows, Date.UTC(2026, 0, 2), Date.UTC(2026, 0, 3)).funnel.decisions).toBe(2);
});
