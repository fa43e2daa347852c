import { addPath, emptyChain, type PathCount, removalEffects } from './markov.js';
import { channelsOf, type Journey, type PathOptions, scanJourneys } from './paths.js';
import { RULE_MODELS, type RuleModel, type RuleOptions, ruleShares } from './rule-models.js';
import { newCoverage } from './scan.js';
import { DEFAULT_MAX_EXACT_CHANNELS, shapleyValues } from './shapley.js';
import type { Coverage, EventSource } from './types.js';

export type AttributionModel = RuleModel | 'markov' | 'shapley';
export const ATTRIBUTION_MODELS: readonly AttributionModel[] = [...RULE_MODELS, 'markov', 'shapley'];

export interface AttributionOptions extends PathOptions, RuleOptions {
  model?: AttributionModel;
  /** Shapley: exact over at most this many channels; the rarest beyond are grouped. Default 16. */
  maxExactChannels?: number;
}

export interface ChannelCredit {
  channel: string;
  conversions: number;
  revenue: number;
}

export interface AttributionResult extends Coverage {
  model: AttributionModel;
  conversions: number;
  revenue: number;
  channels: ChannelCredit[];
  /** What the answer could not do exactly, in words (e.g. Shapley channels grouped). */
  notes: string[];
}

function credit(totals: Map<string, ChannelCredit>, channel: string, conversions: number, revenue: number): void {
  if (conversions === 0) return;
  const row = totals.get(channel) ?? { channel, conversions: 0, revenue: 0 };
  row.conversions += conversions;
  row.revenue += revenue;
  totals.set(channel, row);
}

/**
 * Every journey, and the distinct paths with their conversion, null and revenue counts, keyed by
 * `keyOf` (none when it is null): memory bounded by distinct keys.
 */
export async function countPaths(
  events: EventSource,
  options: PathOptions,
  coverage: Coverage,
  keyOf: ((channels: string[]) => string) | null,
  onJourney?: (journey: Journey, channels: string[]) => void,
): Promise<Map<string, PathCount & { revenue: number }>> {
  const paths = new Map<string, PathCount & { revenue: number }>();
  await scanJourneys(events, options, coverage, (journey) => {
    const channels = channelsOf(journey);
    onJourney?.(journey, channels);
    if (!keyOf) return;
    const key = keyOf(channels);
    let path = paths.get(key);
    if (!path) {
      path = { channels, conversions: 0, nulls: 0, revenue: 0 };
      paths.set(key, path);
    }
    if (journey.conversion) {
      path.conversions++;
      path.revenue += journey.conversion.revenue;
    } else path.nulls++;
  });
  return paths;
}

/** A path by its channels in order (top paths). */
export const sequenceKey = (channels: string[]) => channels.join('\u0000');
/** A path by the set of its channels, all Shapley reads: at most 2^channels keys, however many journeys. */
const setKey = (channels: string[]) => [...new Set(channels)].sort().join('\u0000');

function shareByWeights(totals: Map<string, ChannelCredit>, weights: Map<string, number>, conversions: number, revenue: number) {
  const positive = [...weights].filter(([, w]) => w > 0);
  const sum = positive.reduce((s, [, w]) => s + w, 0);
  for (const [channel, w] of positive) credit(totals, channel, (conversions * w) / sum, (revenue * w) / sum);
}

/**
 * Credits each conversion (count and revenue) to channels under one model. Rule-based models share
 * each conversion among its journey's touches; `markov` and `shapley` learn channel weights from all
 * journeys (converting and not) and share the totals by them. Purpose: `analytics` by default.
 */
export async function attribution(events: EventSource, options: AttributionOptions = {}): Promise<AttributionResult> {
  const model = options.model ?? 'last';
  if (!ATTRIBUTION_MODELS.includes(model))
    throw new Error(`[tillit] insights: unknown attribution model "${model}"; use one of ${ATTRIBUTION_MODELS.join(', ')}.`);
  const coverage = newCoverage(options.purpose ?? 'analytics');
  const totals = new Map<string, ChannelCredit>();
  let conversions = 0;
  let revenue = 0;
  // Markov reads transitions only (a chain of channels² counts), Shapley channel sets: neither keeps every distinct path.
  const chain = emptyChain();
  const paths = await countPaths(events, options, coverage, model === 'shapley' ? setKey : null, (journey, channels) => {
    if (model === 'markov')
      addPath(chain, { channels, conversions: journey.conversion ? 1 : 0, nulls: journey.conversion ? 0 : 1 });
    if (!journey.conversion) return;
    conversions++;
    revenue += journey.conversion.revenue;
    if (model === 'markov' || model === 'shapley') return;
    const times = journey.times.length ? journey.times : [journey.conversion!.time];
    const shares = ruleShares(model, channels, times, journey.conversion!.time, options);
    for (let i = 0; i < channels.length; i++) credit(totals, channels[i]!, shares[i]!, shares[i]! * journey.conversion!.revenue);
  });
  const notes: string[] = [];
  if (model === 'markov') shareByWeights(totals, removalEffects(chain), conversions, revenue);
  if (model === 'shapley') {
    const max = options.maxExactChannels ?? DEFAULT_MAX_EXACT_CHANNELS;
    const { values, grouped } = shapleyValues([...paths.values()], max);
    shareByWeights(totals, values, conversions, revenue);
    const negative = [...values].filter(([, value]) => value < 0).map(([channel]) => channel);
    if (negative.length)
      notes.push(`Shapley values below zero (journeys with them convert less) get no credit: ${negative.join(', ')}`);
    if (grouped.length)
      notes.push(
        `Shapley is exact over ${max} channels; ${grouped.length} rarer channels are grouped as (other): ${grouped.join(', ')}`,
      );
  }
  const channels = [...totals.values()].sort((x, y) => y.conversions - x.conversions || (x.channel < y.channel ? -1 : 1));
  return { model, ...coverage, conversions, revenue, channels, notes };
}
