import { DAY_MS } from './types.js';

export type RuleModel = 'last' | 'first' | 'linear' | 'time-decay' | 'position' | 'last-non-direct';
export const RULE_MODELS: readonly RuleModel[] = ['last', 'first', 'linear', 'time-decay', 'position', 'last-non-direct'];

export interface RuleOptions {
  /** Time decay: a touch this many days before the conversion gets half the weight of one at it. Default 7. */
  halfLifeDays?: number;
}

function only(n: number, index: number): number[] {
  return Array.from({ length: n }, (_, i) => (i === index ? 1 : 0));
}

/** Position based (U-shaped): 40 % first, 40 % last, 20 % shared by the middle; one touch gets all, two 50/50. */
function position(n: number): number[] {
  if (n === 1) return [1];
  if (n === 2) return [0.5, 0.5];
  return Array.from({ length: n }, (_, i) => (i === 0 || i === n - 1 ? 0.4 : 0.2 / (n - 2)));
}

function timeDecay(times: readonly number[], conversionTime: number, halfLifeDays: number): number[] {
  const raw = times.map((time) => 2 ** (-(conversionTime - time) / (halfLifeDays * DAY_MS)));
  const total = raw.reduce((sum, weight) => sum + weight, 0);
  return raw.map((weight) => weight / total);
}

/**
 * The share of one conversion each touch of its journey gets under a rule-based model; the shares
 * sum to 1. `channels` and `times` are the journey's touches, oldest first (at least one).
 */
export function ruleShares(
  model: RuleModel,
  channels: readonly string[],
  times: readonly number[],
  conversionTime: number,
  options: RuleOptions = {},
): number[] {
  const n = channels.length;
  switch (model) {
    case 'last':
      return only(n, n - 1);
    case 'first':
      return only(n, 0);
    case 'linear':
      return channels.map(() => 1 / n);
    case 'position':
      return position(n);
    case 'time-decay':
      return timeDecay(times, conversionTime, options.halfLifeDays ?? 7);
    case 'last-non-direct': {
      const index = channels.findLastIndex((channel) => channel !== 'direct');
      return only(n, index === -1 ? n - 1 : index);
    }
  }
}
