import { describe, expect, it } from 'vitest';
import { conversionProbability, type PathCount, removalEffects, solveLinear, transitionCounts } from './markov.js';
import { seededRandom } from './math/random.js';

// Hand-worked: A>B converts once, A ends in null once, B converts once.
//   start→A 2/3, start→B 1/3; A→B 1/2, A→null 1/2; B→conversion 1.
//   P(B) = 1, P(A) = 1/2, P(start) = 2/3·1/2 + 1/3 = 2/3.
//   Without A: P = 1/3 → effect 1/2. Without B: P = 0 → effect 1.
const paths: PathCount[] = [
  { channels: ['A', 'B'], conversions: 1, nulls: 0 },
  { channels: ['A'], conversions: 0, nulls: 1 },
  { channels: ['B'], conversions: 1, nulls: 0 },
];

/** Brute force: push probability mass through the chain step by step until (almost) all is absorbed. */
function absorbedByIteration(paths: PathCount[], removed?: string): number {
  const next = new Map<string, Map<string, number>>();
  const add = (from: string, to: string, n: number) => {
    const row = next.get(from) ?? new Map<string, number>();
    row.set(to, (row.get(to) ?? 0) + n);
    next.set(from, row);
  };
  for (const p of paths) {
    const states = ['(start)', ...p.channels];
    for (let i = 1; i < states.length; i++) add(states[i - 1]!, states[i]!, p.conversions + p.nulls);
    add(states.at(-1)!, '(conversion)', p.conversions);
    add(states.at(-1)!, '(null)', p.nulls);
  }
  let mass = new Map([['(start)', 1]]);
  let converted = 0;
  for (let step = 0; step < 5000 && mass.size; step++) {
    const after = new Map<string, number>();
    for (const [state, m] of mass) {
      const row = next.get(state)!;
      const total = [...row.values()].reduce((s, n) => s + n, 0);
      for (const [to, n] of row) {
        const share = (m * n) / total;
        if (to === '(conversion)') converted += share;
        else if (to !== '(null)' && to !== removed) after.set(to, (after.get(to) ?? 0) + share);
      }
    }
    mass = after;
  }
  return converted;
}

describe('markov', () => {
  it('solves a linear system', async () => {
    expect(
      solveLinear(
        [
          [2, 1],
          [1, 3],
        ],
        [3, 5],
      ),
    ).toEqual([0.8, 1.4]);
  });

  it('finds the hand-worked conversion probability and removal effects', async () => {
    expect(conversionProbability(transitionCounts(paths))).toBeCloseTo(2 / 3, 12);
    const effects = removalEffects(paths);
    expect(effects.get('A')).toBeCloseTo(1 / 2, 12);
    expect(effects.get('B')).toBeCloseTo(1, 12);
  });

  it('agrees with brute-force iteration of the chain on random journeys, loops included', async () => {
    const random = seededRandom(7);
    const channels = ['a', 'b', 'c', 'd'];
    for (let trial = 0; trial < 5; trial++) {
      const sample: PathCount[] = Array.from({ length: 30 }, () => ({
        channels: Array.from({ length: 1 + Math.floor(random() * 5) }, () => channels[Math.floor(random() * 4)]!),
        conversions: Math.floor(random() * 3),
        nulls: 1 + Math.floor(random() * 3),
      }));
      const base = absorbedByIteration(sample);
      const chain = transitionCounts(sample);
      expect(conversionProbability(chain)).toBeCloseTo(base, 9);
      for (const [channel, effect] of removalEffects(sample)) {
        expect(effect).toBeCloseTo(1 - absorbedByIteration(sample, channel) / base, 9);
      }
    }
  });
});
