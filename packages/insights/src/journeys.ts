import { countPaths, sequenceKey } from './attribution.js';
import type { PathOptions } from './paths.js';
import { newCoverage } from './scan.js';
import { type Coverage, DAY_MS, type EventSource } from './types.js';

export interface JourneysOptions extends PathOptions {
  /** How many of the most converting paths to list. Default 10. */
  topPaths?: number;
}

export interface JourneysResult extends Coverage {
  conversions: number;
  /** Paths ranked by conversions: `["organic search", "email"]` is one path. */
  topPaths: { path: string[]; conversions: number; journeys: number; conversionRate: number; revenue: number }[];
  /** Converting journeys by number of touches (`"10+"` for ten or more). */
  pathLength: { touches: string; conversions: number }[];
  /** Converting journeys by days from their first touch to the conversion. */
  timeToConvert: { days: string; conversions: number }[];
}

const DAY_BUCKETS: readonly [string, number][] = [
  ['<1', 1],
  ['1-2', 3],
  ['3-6', 7],
  ['7-13', 14],
  ['14-29', 30],
];

function dayBucket(days: number): string {
  return DAY_BUCKETS.find(([, below]) => days < below)?.[0] ?? '30+';
}

function increment(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

/** Customer journeys: top paths, path length and time to convert, over the lookback window. Purpose: `analytics`. */
export async function journeys(events: EventSource, options: JourneysOptions = {}): Promise<JourneysResult> {
  const coverage = newCoverage(options.purpose ?? 'analytics');
  const lengths = new Map<string, number>();
  const delays = new Map<string, number>();
  let conversions = 0;
  const paths = await countPaths(events, options, coverage, sequenceKey, (journey) => {
    if (!journey.conversion) return;
    conversions++;
    const n = journey.times.length;
    increment(lengths, n >= 10 ? '10+' : String(n));
    const first = journey.times[0] ?? journey.conversion!.time;
    increment(delays, dayBucket((journey.conversion!.time - first) / DAY_MS));
  });
  const topPaths = [...paths.values()]
    .filter((path) => path.conversions > 0)
    .sort((x, y) => y.conversions - x.conversions || y.revenue - x.revenue)
    .slice(0, options.topPaths ?? 10)
    .map((path) => ({
      path: [...path.channels],
      conversions: path.conversions,
      journeys: path.conversions + path.nulls,
      conversionRate: path.conversions / (path.conversions + path.nulls),
      revenue: path.revenue,
    }));
  const lengthOrder = [...Array.from({ length: 10 }, (_, i) => String(i)), '10+'];
  return {
    ...coverage,
    conversions,
    topPaths,
    pathLength: lengthOrder.filter((k) => lengths.has(k)).map((touches) => ({ touches, conversions: lengths.get(touches)! })),
    timeToConvert: [...DAY_BUCKETS.map(([k]) => k), '30+']
      .filter((k) => delays.has(k))
      .map((days) => ({ days, conversions: delays.get(days)! })),
  };
}
