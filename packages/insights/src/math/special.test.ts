import { describe, expect, it } from 'vitest';
import { hyp2f1, lnBeta, lnGamma, logAddExp } from './special.js';

describe('lnGamma', () => {
  it('matches factorials and Γ(1/2) = √π', async () => {
    expect(lnGamma(1)).toBeCloseTo(0, 14);
    expect(lnGamma(2)).toBeCloseTo(0, 14);
    expect(lnGamma(10)).toBeCloseTo(Math.log(362880), 12);
    expect(lnGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 13);
    // Stirling's series is exact to 1e-12 this far out: (x−½)ln x − x + ½ln 2π + 1/(12x) − 1/(360x³)
    const x = 150.5;
    const stirling = (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * x) - 1 / (360 * x ** 3);
    expect(lnGamma(x) / stirling).toBeCloseTo(1, 13);
  });

  it('reflects below one half: Γ(0.1) = 9.513507698668732', async () => {
    expect(lnGamma(0.1)).toBeCloseTo(Math.log(9.513507698668732), 13);
    expect(lnBeta(2, 3)).toBeCloseTo(Math.log(1 / 12), 13);
  });
});

describe('logAddExp', () => {
  it('adds in log space without overflow', async () => {
    expect(logAddExp(Math.log(2), Math.log(3))).toBeCloseTo(Math.log(5), 14);
    expect(logAddExp(1000, 1000)).toBeCloseTo(1000 + Math.log(2), 12);
    expect(logAddExp(Number.NEGATIVE_INFINITY, 3)).toBe(3);
  });
});

describe('hyp2f1', () => {
  it('matches closed forms: ₂F₁(1,1;2;z) = −ln(1−z)/z and ₂F₁(a,b;b;z) = (1−z)^−a', async () => {
    for (const z of [0.1, 0.5, 0.9, 0.99]) {
      expect(hyp2f1(1, 1, 2, z)).toBeCloseTo(-Math.log(1 - z) / z, 10);
      expect(hyp2f1(0.7, 2.5, 2.5, z) / (1 - z) ** -0.7).toBeCloseTo(1, 10);
    }
    expect(hyp2f1(3, 4, 5, 0)).toBe(1);
  });

  it('refuses z outside [0, 1)', async () => {
    expect(() => hyp2f1(1, 1, 2, 1)).toThrow(/0 <= z < 1/);
  });
});
