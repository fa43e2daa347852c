import { describe, expect, it } from 'vitest';
import { simulateShop } from './simulate-shop.js';
import { DAY_MS } from './types.js';

const END = Date.UTC(2026, 10, 30, 12);

describe('simulateShop', () => {
  const sim = simulateShop({ end: END, seed: 3, visitors: 400, days: 60 });

  it('repeats exactly with the same options, ids included, and differs with another seed', () => {
    expect(simulateShop({ end: END, seed: 3, visitors: 400, days: 60 })).toEqual(sim);
    const other = simulateShop({ end: END, seed: 4, visitors: 400, days: 60 });
    expect(other.events[0]!.messageId).not.toBe(sim.events[0]!.messageId);
  });

  it('keeps every event within the days before end, in time order, marked simulated, with a unique id', () => {
    const times = sim.events.map((e) => Date.parse(e.timestamp));
    expect(Math.min(...times)).toBeGreaterThanOrEqual(END - 60 * DAY_MS);
    expect(Math.max(...times)).toBeLessThanOrEqual(END);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(sim.events.every((e) => (e.context as { simulated?: boolean }).simulated === true)).toBe(true);
    expect(new Set(sim.events.map((e) => e.messageId)).size).toBe(sim.events.length);
  });

  it('has refusals that send nothing, partial grants, withdrawals, and events only under what was granted', () => {
    const refusals = sim.consents.filter((c) => c.anonymousId === null);
    expect(refusals.length).toBeGreaterThan(20);
    expect(refusals.every((c) => Object.values(c.purposes).every((granted) => !granted))).toBe(true);
    const granted = new Map<string, string[]>();
    const withdrawn = new Map<string, number>();
    for (const c of sim.consents) {
      if (!c.anonymousId) continue;
      const purposes = Object.keys(c.purposes).filter((p) => c.purposes[p]);
      if (granted.has(c.anonymousId)) withdrawn.set(c.anonymousId, Date.parse(c.timestamp));
      else granted.set(c.anonymousId, purposes);
    }
    expect(withdrawn.size).toBeGreaterThan(0);
    expect([...granted.values()].some((p) => p.length === 1 && p[0] === 'analytics')).toBe(true);
    for (const e of sim.events) {
      expect(e.context?.consent?.purposes).toEqual(granted.get(e.anonymousId!));
      expect(Date.parse(e.timestamp)).toBeLessThanOrEqual(withdrawn.get(e.anonymousId!) ?? END);
    }
  });

  it('has channels, logins linking browsers, repeat orders with baskets, and NPS answers', () => {
    const campaigns = new Set(sim.events.map((e) => e.context?.campaign?.source).filter(Boolean));
    expect([...campaigns].sort()).toEqual(['google', 'instagram', 'newsletter']);
    const identifies = sim.events.filter((e) => e.type === 'identify');
    const browsersPerUser = new Map<string, Set<string>>();
    for (const e of identifies) browsersPerUser.set(e.userId!, (browsersPerUser.get(e.userId!) ?? new Set()).add(e.anonymousId!));
    expect([...browsersPerUser.values()].some((browsers) => browsers.size > 1)).toBe(true);
    const orders = sim.events.filter((e) => e.event === 'Order Completed');
    const perUser = new Map<string, number>();
    for (const o of orders) if (o.userId) perUser.set(o.userId, (perUser.get(o.userId) ?? 0) + 1);
    expect([...perUser.values()].some((n) => n > 2)).toBe(true);
    expect(orders.some((o) => (o.properties!.products as unknown[]).length > 1)).toBe(true);
    for (const o of orders) {
      const products = o.properties!.products as { price: number; quantity: number }[];
      expect(o.properties!.revenue).toBeCloseTo(
        products.reduce((s, p) => s + p.price * p.quantity, 0),
        6,
      );
    }
    const scores = sim.events.filter((e) => e.event === 'Survey Responded').map((e) => e.properties!.score as number);
    expect(Math.min(...scores)).toBeLessThan(7);
    expect(Math.max(...scores)).toBeGreaterThanOrEqual(9);
  });

  it('refuses options that are not numbers', () => {
    expect(() => simulateShop({ end: Number.NaN })).toThrow(/end must be a finite number/);
    expect(() => simulateShop({ end: END, visitors: -1 })).toThrow(/visitors/);
  });
});
