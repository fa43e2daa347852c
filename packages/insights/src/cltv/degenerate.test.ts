// Data whose maximum likelihood lies at an extreme: the fits stop at the edge of their box and say
// so (converged: false, atBound), or refuse with a reason; no answer holds NaN or Infinity.
import { describe, expect, it } from 'vitest';
import { at, order } from '../test-events.js';
import { seededRandom } from '../math/random.js';
import { fitBgNbd } from './bgnbd.js';
import { cltv } from './cltv.js';
import { fitGammaGamma } from './gamma-gamma.js';
import { simulateBgNbd } from './simulate.js';
import { segments } from '../rfm.js';

/** Every number anywhere in `value` is finite (null is allowed: it says "no prediction"). */
function expectFinite(value: unknown, path = 'answer'): void {
  if (typeof value === 'number') expect(Number.isFinite(value), `${path} = ${value}`).toBe(true);
  else if (value && typeof value === 'object')
    for (const [key, inner] of Object.entries(value)) expectFinite(inner, `${path}.${key}`);
}

/** `people` customers who each buy for `revenue` on the given days; the data ends on day 30. */
function orders(people: number, days: number[], revenue = (_: number) => 20) {
  const events = [];
  for (const day of days) for (let i = 0; i < people; i++) events.push(order(`p${i}`, at(day, 1 + i / 1000), revenue(i)));
  return events.sort((x, y) => Number(x.timestamp > y.timestamp) - Number(x.timestamp < y.timestamp));
}
const OPTIONS = { to: at(30), unit: 'day' as const, horizon: 30 };

describe('BG/NBD and Gamma-Gamma on degenerate data', () => {
  it('no repeat purchases at all: BG/NBD refuses, naming why; the answer has no prediction and no NaN', async () => {
    const triples = Array.from({ length: 50 }, (_, i) => ({ frequency: 0, recency: 0, T: 10 + i }));
    expect(() => fitBgNbd(triples)).toThrow(/BG\/NBD needs at least one repeat customer/);
    const result = await cltv(orders(40, [3]), OPTIONS);
    expect(result.params).toBeNull();
    expect(result.notes).toEqual([expect.stringMatching(/at least one repeat customer/)]);
    expect(result.customers).toHaveLength(40);
    expect(result.customers[0]).toMatchObject({ revenue: 20, pAlive: null, expectedPurchases: null, cltv: null });
    expectFinite(result);
  });

  it('one customer: the BG/NBD fit stops at the edge of its box and says so; Gamma-Gamma refuses', async () => {
    const fit = fitBgNbd([{ frequency: 3, recency: 5, T: 10 }]);
    expect(fit.converged).toBe(false);
    expect(fit.atBound.length).toBeGreaterThan(0);
    expect(fit.evaluations).toBeLessThanOrEqual(20_001); // the budget, and the start point
    expectFinite(fit);
    expect(() => fitGammaGamma([{ frequency: 3, monetary: 10 }])).toThrow(/Gamma-Gamma needs at least two repeat customers/);
    const result = await cltv(orders(1, [0, 5, 10, 20]), OPTIONS);
    expect(result.params).toBeNull();
    expect(result.notes.join()).toMatch(/Gamma-Gamma needs at least two repeat customers/);
    expectFinite(result);
  });

  it('identical customers: both fits end at the edge, flagged, and every prediction is finite', async () => {
    const bg = fitBgNbd(Array.from({ length: 100 }, () => ({ frequency: 2, recency: 8, T: 10 })));
    expect(bg).toMatchObject({ converged: false });
    expect(bg.atBound.length).toBeGreaterThan(0);
    const gg = fitGammaGamma(Array.from({ length: 100 }, () => ({ frequency: 2, monetary: 20 })));
    expect(gg).toMatchObject({ converged: false });
    expect(gg.atBound).toContain('q');
    expectFinite([bg, gg]);

    const result = await cltv(orders(60, [0, 10, 20]), OPTIONS);
    expect(result.params).not.toBeNull();
    expect(result.notes.join('\n')).toMatch(/did not converge: .* ran to the edge of the search/);
    expect(result.customers.every((c) => c.cltv !== null && c.cltv >= 0)).toBe(true);
    expectFinite(result);
    const rfm = await segments(orders(60, [0, 10, 20]), { to: at(30) });
    expectFinite(rfm);
  });

  it('names bad input instead of fitting it', () => {
    expect(() => fitBgNbd([{ frequency: 1, recency: Number.NaN, T: 5 }])).toThrow(
      /BG\/NBD customer 0: recency must be between 0 and T \(5\), got NaN/,
    );
    expect(() =>
      fitBgNbd([
        { frequency: 1, recency: 1, T: 5 },
        { frequency: 1.5, recency: 1, T: 5 },
      ]),
    ).toThrow(/customer 1: frequency must be a whole number/);
    expect(() => fitGammaGamma([{ frequency: 1, monetary: Number.POSITIVE_INFINITY }])).toThrow(
      /Gamma-Gamma customer 0: needs a frequency ≥ 0 and a finite monetary value/,
    );
  });

  it('keeps a well-posed fit off the edge (converged, nothing at the bound)', () => {
    const random = seededRandom(3);
    const fit = fitBgNbd(simulateBgNbd({ r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 }, 2000, () => 39, random));
    expect(fit).toMatchObject({ converged: true, atBound: [] });
  });
});
