import { describe, expect, it } from 'vitest';
import { ruleShares } from './rule-models.js';
import { DAY_MS } from './types.js';

// A journey of three touches 14, 7 and 0 days before the conversion: search → social → direct.
const channels = ['organic search', 'social', 'direct'];
const conversion = 100 * DAY_MS;
const times = [conversion - 14 * DAY_MS, conversion - 7 * DAY_MS, conversion];

describe('ruleShares', () => {
  it('last and first give the whole conversion to one touch', async () => {
    expect(ruleShares('last', channels, times, conversion)).toEqual([0, 0, 1]);
    expect(ruleShares('first', channels, times, conversion)).toEqual([1, 0, 0]);
  });

  it('linear shares equally', async () => {
    expect(ruleShares('linear', channels, times, conversion)).toEqual([1 / 3, 1 / 3, 1 / 3]);
  });

  it('time decay halves the weight every half-life: 1/4 : 1/2 : 1 → 1/7, 2/7, 4/7', async () => {
    const shares = ruleShares('time-decay', channels, times, conversion, { halfLifeDays: 7 });
    [1 / 7, 2 / 7, 4 / 7].forEach((share, i) => {
      expect(shares[i]).toBeCloseTo(share, 12);
    });
    const slower = ruleShares('time-decay', channels, times, conversion, { halfLifeDays: 14 });
    // 1/2 : 1/√2 : 1
    expect(slower[0]).toBeCloseTo(0.5 / (0.5 + Math.SQRT1_2 + 1), 12);
  });

  it('position gives 40/20/40, 50/50 for two touches and everything to one', async () => {
    expect(ruleShares('position', channels, times, conversion)).toEqual([0.4, 0.2, 0.4]);
    expect(ruleShares('position', ['a', 'b', 'c', 'd'], [0, 1, 2, 3], 4)).toEqual([0.4, 0.1, 0.1, 0.4]);
    expect(ruleShares('position', ['a', 'b'], [0, 1], 2)).toEqual([0.5, 0.5]);
    expect(ruleShares('position', ['a'], [0], 1)).toEqual([1]);
  });

  it('last non-direct skips direct touches, unless all are direct', async () => {
    expect(ruleShares('last-non-direct', channels, times, conversion)).toEqual([0, 1, 0]);
    expect(ruleShares('last-non-direct', ['direct', 'direct'], [0, 1], 2)).toEqual([0, 1]);
  });
});
