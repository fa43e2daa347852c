import { describe, expect, it } from 'vitest';
import { cohorts, periodOf, periodStart } from './cohorts.js';
import { at, order, page } from './test-events.js';

describe('periods', () => {
  it('start weeks on Mondays and months on the 1st (UTC)', async () => {
    expect(periodStart(periodOf(Date.UTC(2026, 0, 7), 'week'), 'week')).toBe('2026-01-05');
    expect(periodStart(periodOf(Date.UTC(2026, 0, 4, 23), 'week'), 'week')).toBe('2025-12-29');
    expect(periodStart(periodOf(Date.UTC(2026, 2, 31), 'month'), 'month')).toBe('2026-03-01');
  });
});

describe('cohorts', () => {
  it('counts each person once per period since their first purchase, with revenue', async () => {
    // Week 0 (from 2026-01-05): a and b buy; week 1: a buys twice; week 2: b; week 1 also starts c.
    const events = [
      order('a', at(0), 10),
      order('b', at(1), 20),
      order('a', at(7), 5),
      order('a', at(8), 5),
      order('c', at(9), 7),
      order('b', at(15), 3),
    ];
    expect((await cohorts(events, { period: 'week' })).cohorts).toEqual([
      {
        cohort: '2026-01-05',
        size: 2,
        periods: [
          { active: 2, retention: 1, revenue: 30 },
          { active: 1, retention: 0.5, revenue: 10 },
          { active: 1, retention: 0.5, revenue: 3 },
        ],
      },
      { cohort: '2026-01-12', size: 1, periods: [{ active: 1, retention: 1, revenue: 7 }] },
    ]);
  });

  it('can start cohorts at the first visit', async () => {
    const events = [page('a', at(0)), order('a', at(40), 9)];
    const result = await cohorts(events, { basis: 'visit' });
    expect(result.cohorts).toEqual([
      {
        cohort: '2026-01-01',
        size: 1,
        periods: [
          { active: 1, retention: 1, revenue: 0 },
          { active: 1, retention: 1, revenue: 9 },
        ],
      },
    ]);
  });
});
