import { randomBeta, randomExponential, randomGamma } from '../math/random.js';
import type { BgNbdParams, RfmTriple } from './bgnbd.js';
import type { GammaGammaParams, SpendSummary } from './gamma-gamma.js';

/**
 * Customers drawn from the BG/NBD story (FHL 2005 §2): each buys at rate λ ~ Gamma(r, α) from a
 * first purchase at time 0 and, after every purchase, drops out with probability p ~ Beta(a, b);
 * observed until their age T (drawn by `age`). For tests and the bench: known parameters to recover.
 */
export function simulateBgNbd(params: BgNbdParams, customers: number, age: () => number, random: () => number): RfmTriple[] {
  const out: RfmTriple[] = [];
  for (let i = 0; i < customers; i++) {
    const lambda = randomGamma(random, params.r, params.alpha);
    const p = randomBeta(random, params.a, params.b);
    const T = age();
    let t = 0;
    let frequency = 0;
    let recency = 0;
    for (;;) {
      t += randomExponential(random, lambda);
      if (t > T) break;
      frequency++;
      recency = t;
      if (random() < p) break;
    }
    out.push({ frequency, recency, T });
  }
  return out;
}

/** Average spends from the Gamma-Gamma story: ν ~ Gamma(q, γ), each transaction ~ Gamma(p, ν). */
export function simulateGammaGamma(
  params: GammaGammaParams,
  frequencies: readonly number[],
  random: () => number,
): SpendSummary[] {
  return frequencies.map((frequency) => {
    const nu = randomGamma(random, params.q, params.gamma);
    let total = 0;
    for (let j = 0; j < frequency; j++) total += randomGamma(random, params.p, nu);
    return { frequency, monetary: total / frequency };
  });
}
