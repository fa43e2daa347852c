import { describe, expect, it } from 'vitest';
import { seededRandom } from '../math/random.js';
import { expectedSpend, fitGammaGamma, gammaGammaLogLikelihood } from './gamma-gamma.js';
import { simulateGammaGamma } from './simulate.js';

describe('Gamma-Gamma', () => {
  it('log-likelihood by hand: p = 1, q = 2, γ = 1, x = 1, m = 1 gives ln Γ(3) − 3 ln 2 = −2 ln 2', async () => {
    expect(gammaGammaLogLikelihood({ p: 1, q: 2, gamma: 1 }, { frequency: 1, monetary: 1 })).toBeCloseTo(-2 * Math.log(2), 14);
  });

  it('expected spend weighs the population mean against the customer’s own average', async () => {
    const cdnow = { p: 6.25, q: 3.74, gamma: 15.44 };
    const population = (6.25 * 15.44) / 2.74;
    expect(expectedSpend(cdnow, { frequency: 0, monetary: 0 })).toBeCloseTo(population, 12);
    // x = 2, m = 50: (q−1)/(px+q−1) · population + px/(px+q−1) · m
    const w = (6.25 * 2) / (6.25 * 2 + 2.74);
    expect(expectedSpend(cdnow, { frequency: 2, monetary: 50 })).toBeCloseTo((1 - w) * population + w * 50, 12);
  });

  it('recovers the parameters of simulated spends', async () => {
    const truth = { p: 6, q: 4, gamma: 15 };
    const random = seededRandom(99);
    const frequencies = Array.from({ length: 6000 }, () => 1 + Math.floor(random() * 8));
    const fit = fitGammaGamma(simulateGammaGamma(truth, frequencies, random));
    expect(fit.converged).toBe(true);
    for (const key of ['p', 'q', 'gamma'] as const) expect(Math.abs(fit[key] / truth[key] - 1)).toBeLessThan(0.1);
  });

  it('refuses to fit fewer than two repeat customers', async () => {
    expect(() => fitGammaGamma([{ frequency: 0, monetary: 0 }])).toThrow(/two repeat customers/);
  });
});
