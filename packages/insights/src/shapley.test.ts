import { describe, expect, it } from 'vitest';
import type { PathCount } from './markov.js';
import { seededRandom } from './math/random.js';
import { coalitionValues, OTHER_CHANNEL, shapleyOfGame, shapleyValues } from './shapley.js';

// Hand-worked: {A}: 2 of 10 journeys convert, {B}: 4 of 10, {A,B}: 6 of 10.
//   v(A) = 0.2, v(B) = 0.4, v(AB) = 12/30 = 0.4.
//   φ_A = ½·v(A) + ½·(v(AB) − v(B)) = 0.1;  φ_B = ½·v(B) + ½·(v(AB) − v(A)) = 0.3.
const paths: PathCount[] = [
  { channels: ['A'], conversions: 2, nulls: 8 },
  { channels: ['B'], conversions: 4, nulls: 6 },
  { channels: ['B', 'A', 'B'], conversions: 6, nulls: 4 },
];

/** Brute force: v(S) straight from the journeys, marginal contributions averaged over all n! orders. */
function shapleyByPermutations(paths: PathCount[], channels: string[]): Map<string, number> {
  const v = (set: Set<string>) => {
    const inside = paths.filter((p) => p.channels.every((c) => set.has(c)));
    const journeys = inside.reduce((s, p) => s + p.conversions + p.nulls, 0);
    return journeys ? inside.reduce((s, p) => s + p.conversions, 0) / journeys : 0;
  };
  const orders: string[][] = [];
  const permute = (prefix: string[], rest: string[]) => {
    if (!rest.length) orders.push(prefix);
    rest.forEach((c, i) => {
      permute([...prefix, c], [...rest.slice(0, i), ...rest.slice(i + 1)]);
    });
  };
  permute([], channels);
  const totals = new Map(channels.map((c) => [c, 0]));
  for (const order of orders) {
    const set = new Set<string>();
    for (const c of order) {
      const before = v(set);
      set.add(c);
      totals.set(c, totals.get(c)! + (v(set) - before) / orders.length);
    }
  }
  return totals;
}

describe('shapley', () => {
  it('gives the hand-worked values', async () => {
    const { values, grouped } = shapleyValues(paths);
    expect(values.get('A')).toBeCloseTo(0.1, 12);
    expect(values.get('B')).toBeCloseTo(0.3, 12);
    expect(grouped).toEqual([]);
  });

  it('sums to v(all channels) (efficiency)', async () => {
    const v = coalitionValues(paths, ['A', 'B']);
    expect(shapleyOfGame(v, 2).reduce((s, x) => s + x, 0)).toBeCloseTo(v[3]!, 12);
  });

  it('agrees with the permutation definition on random journeys over five channels', async () => {
    const random = seededRandom(11);
    const channels = ['a', 'b', 'c', 'd', 'e'];
    for (let trial = 0; trial < 5; trial++) {
      const sample: PathCount[] = Array.from({ length: 25 }, () => ({
        channels: Array.from({ length: 1 + Math.floor(random() * 4) }, () => channels[Math.floor(random() * 5)]!),
        conversions: Math.floor(random() * 4),
        nulls: Math.floor(random() * 4) + 1,
      }));
      const fast = shapleyValues(sample).values;
      const brute = shapleyByPermutations(sample, [...fast.keys()]);
      for (const [channel, value] of fast) expect(value).toBeCloseTo(brute.get(channel)!, 12);
    }
  });

  it('groups the rarest channels as (other) beyond the exact limit, and says which', async () => {
    const many: PathCount[] = [
      { channels: ['a'], conversions: 3, nulls: 3 },
      { channels: ['b'], conversions: 1, nulls: 4 },
      { channels: ['c'], conversions: 1, nulls: 1 },
      { channels: ['d'], conversions: 0, nulls: 1 },
    ];
    const { values, grouped } = shapleyValues(many, 3);
    expect(grouped).toEqual(['c', 'd']);
    expect([...values.keys()]).toEqual(['a', 'b', OTHER_CHANNEL]);
    const exact = shapleyByPermutations(
      many.map((p) => ({ ...p, channels: p.channels.map((c) => (c === 'c' || c === 'd' ? OTHER_CHANNEL : c)) })),
      ['a', 'b', OTHER_CHANNEL],
    );
    expect(values.get(OTHER_CHANNEL)).toBeCloseTo(exact.get(OTHER_CHANNEL)!, 12);
  });
});
