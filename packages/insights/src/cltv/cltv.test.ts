import { describe, expect, it } from 'vitest';
import { at, order, T0 } from '../test-events.js';
import { DAY_MS } from '../types.js';
import { cltv, discountedValue } from './cltv.js';
import { cltvHoldout } from './holdout.js';
import { newCoverage } from '../scan.js';
import { dayOf, purchaseHistories, summarize } from './summary.js';

describe('purchase histories', () => {
  it('count purchases on the same day as one transaction, and m_x over repeat days only', async () => {
    const events = [
      order('u', at(0, 1), 10),
      order('u', at(0, 5), 5),
      order('u', at(3), 20),
      order('u', at(3, 2), 4),
      order('u', at(7), 30),
    ];
    const history = (await purchaseHistories(events, {}, newCoverage('personalization'))).get('u')!;
    expect(history).toMatchObject({ transactions: 3, firstDayRevenue: 15, revenue: 69 });
    expect(summarize(history, dayOf(at(14)), 'day')).toEqual({
      person: 'u',
      frequency: 2,
      recency: 7,
      T: 14,
      monetary: 27,
      revenue: 69,
    });
    expect(summarize(history, dayOf(at(14)), 'week')).toMatchObject({ recency: 1, T: 2 });
  });

  it('keep holdout purchases apart and skip customers who first buy in the holdout', async () => {
    const events = [order('u', at(0), 10), order('u', at(9), 10), order('u', at(11), 10), order('v', at(12), 10)];
    const histories = await purchaseHistories(events, { calibrationEnd: at(10) }, newCoverage('personalization'));
    expect([...histories.keys()]).toEqual(['u']);
    expect(histories.get('u')).toMatchObject({ transactions: 2, holdoutTransactions: 1 });
  });
});

describe('discountedValue', () => {
  it('discounts each step’s purchases at its end', async () => {
    // One purchase per unit, 2 units, spend 10, 100 % a "year" of 1 unit: 10/2 + 10/4.
    expect(discountedValue((t) => t, 10, 2, 1, 1, 2)).toBeCloseTo(7.5, 12);
    expect(discountedValue((t) => t, 10, 2, 1, 0, 2)).toBeCloseTo(20, 12);
  });
});

describe('cltv', () => {
  const events = [
    order('a', at(0), 10),
    order('b', at(0), 20),
    order('c', at(1), 30),
    order('a', at(10), 12),
    order('b', at(20), 25),
    order('a', at(30), 14),
    order('d', at(31), 99, [], { purposes: ['analytics'] }),
    order('b', at(40), 22),
  ];

  it('answers per customer with its purpose and what it left out', async () => {
    const result = await cltv(events, { to: at(50), unit: 'day', horizon: 30 });
    expect(result).toMatchObject({
      purpose: 'personalization',
      events: 8,
      used: 7,
      excluded: { 'purpose not granted': 1 },
      unit: 'day',
    });
    expect(result.asOf).toBe(new Date(at(50) - 1).toISOString());
    expect(result.customers.map((c) => [c.person, c.frequency, c.recency, c.T, c.revenue])).toEqual([
      ['a', 2, 30, 49, 36],
      ['b', 2, 40, 49, 67],
      ['c', 0, 0, 48, 30],
    ]);
    for (const c of result.customers) {
      expect(c.pAlive).toBeGreaterThan(0);
      expect(c.pAlive).toBeLessThanOrEqual(1);
      expect(c.cltv).toBeLessThan(c.expectedPurchases! * c.expectedSpend!);
    }
  });

  it('takes out people who objected or are restricted', async () => {
    const result = await cltv(events, { to: at(50), unit: 'day', objected: ['a'], restricted: ['c'] });
    expect(result.customers.map((c) => c.person)).toEqual(['b']);
    expect(result.excluded).toMatchObject({ 'objection (Art. 21)': 3, 'restriction (Art. 18)': 1 });
  });

  it('says so when there is too little to fit, and still gives historic revenue', async () => {
    const result = await cltv([order('a', T0, 10)], { to: T0 + DAY_MS });
    expect(result.params).toBeNull();
    expect(result.notes[0]).toMatch(/at least one repeat customer/);
    expect(result.customers[0]).toMatchObject({ person: 'a', revenue: 10 });
  });
});

describe('cltvHoldout', () => {
  it('refuses a holdout that ends before it starts', async () => {
    await expect(cltvHoldout([], { calibrationEnd: at(10), holdoutEnd: at(5) })).rejects.toThrow(
      /holdoutEnd must be after calibrationEnd/,
    );
  });
});
