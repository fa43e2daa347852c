import type { PathCount } from './markov.js';

/** Above this many channels, 2^n coalitions get too many; the rarest channels are grouped. */
export const DEFAULT_MAX_EXACT_CHANNELS = 16;
export const OTHER_CHANNEL = '(other)';

export interface ShapleyResult {
  values: Map<string, number>;
  /** Channels grouped into `(other)` to stay within `maxExactChannels` (empty when exact for every channel). */
  grouped: string[];
}

/** The channels to keep: the most frequent (by journeys), `max − 1` of them when some must be grouped. */
function keptChannels(paths: readonly PathCount[], max: number): { kept: string[]; grouped: string[] } {
  const seen = new Map<string, number>();
  for (const path of paths) {
    for (const channel of new Set(path.channels)) seen.set(channel, (seen.get(channel) ?? 0) + path.conversions + path.nulls);
  }
  const ranked = [...seen].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1)).map(([channel]) => channel);
  if (ranked.length <= max) return { kept: ranked, grouped: [] };
  return { kept: [...ranked.slice(0, max - 1), OTHER_CHANNEL], grouped: ranked.slice(max - 1) };
}

/**
 * v(S): the conversion rate of the journeys whose channels all lie in S (0 when there are none), for
 * every coalition S as a bit mask; built with a subset-sum (zeta) transform in n·2^n steps.
 */
export function coalitionValues(paths: readonly PathCount[], kept: readonly string[]): Float64Array {
  const bit = new Map(kept.map((channel, i) => [channel, 1 << i]));
  const other = bit.get(OTHER_CHANNEL) ?? 0;
  const size = 1 << kept.length;
  const conversions = new Float64Array(size);
  const journeys = new Float64Array(size);
  for (const path of paths) {
    let mask = 0;
    for (const channel of path.channels) mask |= bit.get(channel) ?? other;
    conversions[mask]! += path.conversions;
    journeys[mask]! += path.conversions + path.nulls;
  }
  for (let i = 0; i < kept.length; i++) {
    for (let mask = 0; mask < size; mask++) {
      if (mask & (1 << i)) {
        conversions[mask]! += conversions[mask ^ (1 << i)]!;
        journeys[mask]! += journeys[mask ^ (1 << i)]!;
      }
    }
  }
  return conversions.map((c, mask) => (journeys[mask]! > 0 ? c / journeys[mask]! : 0));
}

function popcount(mask: number): number {
  let count = 0;
  for (let m = mask; m; m &= m - 1) count++;
  return count;
}

/** Exact Shapley values of the game `v` over `n` players: Σ over S ∌ i of |S|!(n−|S|−1)!/n! · (v(S∪i) − v(S)). */
export function shapleyOfGame(v: Float64Array, n: number): number[] {
  const weight = [1 / n];
  for (let s = 1; s < n; s++) weight.push((weight[s - 1]! * s) / (n - s));
  const values = new Array<number>(n).fill(0);
  for (let mask = 0; mask < v.length; mask++) {
    const w = weight[popcount(mask)]!;
    for (let i = 0; i < n; i++) if (!(mask & (1 << i))) values[i]! += w * (v[mask | (1 << i)]! - v[mask]!);
  }
  return values;
}

/**
 * Data-driven (Shapley) attribution over channel sets: a coalition's worth is the conversion rate
 * of the journeys (converting and not) that used only its channels. Exact for up to
 * `maxExactChannels` channels; beyond that the rarest are grouped into `(other)` and only the
 * grouped channels' split is lost (the result says which).
 */
export function shapleyValues(paths: readonly PathCount[], maxExactChannels = DEFAULT_MAX_EXACT_CHANNELS): ShapleyResult {
  const { kept, grouped } = keptChannels(paths, maxExactChannels);
  const values = new Map<string, number>();
  if (!kept.length) return { values, grouped };
  const phi = shapleyOfGame(coalitionValues(paths, kept), kept.length);
  kept.forEach((channel, i) => {
    values.set(channel, phi[i]!);
  });
  return { values, grouped };
}
