import { describe, expect, it } from 'vitest';
import { randomBeta, randomGamma, seededRandom } from './random.js';

function moments(draw: () => number, n = 40_000): [mean: number, variance: number] {
  let sum = 0;
  let squares = 0;
  for (let i = 0; i < n; i++) {
    const x = draw();
    sum += x;
    squares += x * x;
  }
  const mean = sum / n;
  return [mean, squares / n - mean * mean];
}

describe('seeded random draws', () => {
  it('repeat exactly for the same seed', async () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    expect([a(), a(), a()]).toEqual([b(), b(), b()]);
    expect(seededRandom(43)()).not.toBe(seededRandom(42)());
  });

  it('draw Gamma(k, rate) with mean k/rate and variance k/rate², also for k < 1', async () => {
    const random = seededRandom(1);
    for (const [k, rate] of [
      [0.25, 4],
      [3, 0.5],
    ] as const) {
      const [mean, variance] = moments(() => randomGamma(random, k, rate));
      expect(mean / (k / rate)).toBeCloseTo(1, 1);
      expect(variance / (k / rate ** 2)).toBeCloseTo(1, 1);
    }
  });

  it('draw Beta(a, b) with mean a/(a+b)', async () => {
    const random = seededRandom(2);
    const [mean] = moments(() => randomBeta(random, 0.8, 2.4));
    expect(mean).toBeCloseTo(0.25, 2);
  });
});
