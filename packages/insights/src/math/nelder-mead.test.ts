import { describe, expect, it } from 'vitest';
import { minimize } from './nelder-mead.js';

describe('minimize (Nelder–Mead)', () => {
  it('finds the minimum of Rosenbrock’s valley from the classic start (−1.2, 1)', async () => {
    const rosenbrock = ([x, y]: number[]) => 100 * (y! - x! ** 2) ** 2 + (1 - x!) ** 2;
    const found = minimize(rosenbrock, [-1.2, 1]);
    expect(found.converged).toBe(true);
    expect(found.x[0]).toBeCloseTo(1, 5);
    expect(found.x[1]).toBeCloseTo(1, 5);
  });

  it('finds a shifted, badly scaled quadratic in five dimensions', async () => {
    const centre = [3, -2, 0.5, 10, -7];
    const scale = [1, 10, 100, 0.1, 5];
    const f = (x: number[]) => x.reduce((s, v, i) => s + scale[i]! * (v - centre[i]!) ** 2, 0);
    const found = minimize(f, [0, 0, 0, 0, 0], { step: 1 });
    found.x.forEach((v, i) => {
      expect(v).toBeCloseTo(centre[i]!, 4);
    });
  });

  it('steps around regions where the function is not a number', async () => {
    const found = minimize(([x]) => (x! < 0 ? Number.NaN : (x! - 2) ** 2), [1]);
    expect(found.x[0]).toBeCloseTo(2, 5);
  });

  it('says when it ran out of evaluations', async () => {
    const found = minimize(([x, y]) => 100 * (y! - x! ** 2) ** 2 + (1 - x!) ** 2, [-1.2, 1], { maxEvaluations: 30 });
    expect(found.converged).toBe(false);
    expect(found.evaluations).toBeLessThanOrEqual(31);
  });
});
