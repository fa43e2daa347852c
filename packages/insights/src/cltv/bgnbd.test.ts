import { describe, expect, it } from 'vitest';
import { seededRandom } from '../math/random.js';
import { lnBeta, lnGamma } from '../math/special.js';
import {
  bgNbdLogLikelihood,
  bgNbdTotalLogLikelihood,
  expectedPurchases,
  fitBgNbd,
  foldTriples,
  probabilityAlive,
} from './bgnbd.js';
import { simulateBgNbd } from './simulate.js';

const cdnow = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };

describe('BG/NBD', () => {
  it('log-likelihood equals eq. 6 of FHL 2005 computed without logs', async () => {
    const { r, alpha, a, b } = cdnow;
    const [x, tx, T] = [2, 30.43, 38.86];
    const direct =
      Math.exp(lnBeta(a, b + x) - lnBeta(a, b) + lnGamma(r + x) - lnGamma(r)) *
      alpha ** r *
      ((alpha + T) ** -(r + x) + (a / (b + x - 1)) * (alpha + tx) ** -(r + x));
    expect(bgNbdLogLikelihood(cdnow, { frequency: x, recency: tx, T })).toBeCloseTo(Math.log(direct), 12);
  });

  it('sums the same log-likelihood over counted rows as customer by customer', async () => {
    const rows = [
      { frequency: 0, recency: 0, T: 38.86, count: 3 },
      { frequency: 1, recency: 1.71, T: 38.86 },
      { frequency: 7, recency: 29.43, T: 35.1, count: 2 },
      { frequency: 2, recency: 35.1, T: 38.86 }, // a recency that is another row's T
      { frequency: 1, recency: 0, T: 0 },
    ];
    const oneByOne = rows.reduce((s, row) => s + (row.count ?? 1) * bgNbdLogLikelihood(cdnow, row), 0);
    expect(bgNbdTotalLogLikelihood(cdnow, rows)).toBeCloseTo(oneByOne, 10);
  });

  it('stays finite where the plain formula underflows', async () => {
    const ll = bgNbdLogLikelihood(cdnow, { frequency: 400, recency: 5000, T: 5200 });
    expect(Number.isFinite(ll)).toBe(true);
  });

  it('P(alive) is 1 without repeat purchases and falls as the last purchase ages', async () => {
    expect(probabilityAlive(cdnow, { frequency: 0, recency: 0, T: 30 })).toBe(1);
    const recent = probabilityAlive(cdnow, { frequency: 3, recency: 30, T: 31 });
    const old = probabilityAlive(cdnow, { frequency: 3, recency: 5, T: 31 });
    expect(recent).toBeGreaterThan(old);
    // eq. 11 by hand: 1 / (1 + a/(b+x−1) · ((α+T)/(α+t_x))^(r+x))
    expect(old).toBeCloseTo(1 / (1 + (0.793 / 4.426) * ((4.414 + 31) / (4.414 + 5)) ** 3.243), 12);
  });

  it('expected purchases: FHL 2005 §5, customer x = 2, t_x = 30.43, T = 38.86 expects 1.226 in 39 weeks', async () => {
    expect(expectedPurchases(cdnow, { frequency: 2, recency: 30.43, T: 38.86 }, 39)).toBeCloseTo(1.226, 2);
    expect(expectedPurchases(cdnow, { frequency: 2, recency: 30.43, T: 38.86 }, 0)).toBe(0);
  });

  it('folds customers with equal (x, t_x, T) into counted rows', async () => {
    const rows = foldTriples([
      { frequency: 0, recency: 0, T: 5 },
      { frequency: 0, recency: 0, T: 5 },
      { frequency: 1, recency: 2, T: 5 },
    ]);
    expect(rows).toEqual([
      { frequency: 0, recency: 0, T: 5, count: 2 },
      { frequency: 1, recency: 2, T: 5, count: 1 },
    ]);
  });

  it('recovers the parameters of simulated customers', async () => {
    const truth = { r: 0.5, alpha: 6, a: 0.7, b: 2.5 };
    const random = seededRandom(2026);
    // Ages of 26 to 52 weeks in whole days, purchases dated to the day, as real data is.
    const day = (weeks: number) => Math.floor(weeks * 7) / 7;
    const customers = simulateBgNbd(truth, 20_000, () => day(26 + random() * 26), random).map((c) => ({
      ...c,
      recency: day(c.recency),
    }));
    const fit = fitBgNbd(customers);
    expect(fit.converged).toBe(true);
    for (const key of ['r', 'alpha', 'a', 'b'] as const) expect(Math.abs(fit[key] / truth[key] - 1)).toBeLessThan(0.1);
  });

  it('refuses to fit without any repeat customer', async () => {
    expect(() => fitBgNbd([{ frequency: 0, recency: 0, T: 3 }])).toThrow(/at least one repeat customer/);
  });
});
