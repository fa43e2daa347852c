/**
 * The parameters of the insights, read the same way from a query string (`GET /v1/insights/...`)
 * and from the command line (`tillit-collector insights ...`): a bad one fails naming itself.
 */
import { ATTRIBUTION_MODELS, type AttributionModel } from '@tillit/insights';

export const ANALYSES = ['attribution', 'journeys', 'cltv', 'segments', 'basket', 'cohorts', 'nps'] as const;
export type Analysis = (typeof ANALYSES)[number];

export class ParamError extends Error {
  constructor(
    readonly param: string,
    reason: string,
  ) {
    super(`${param}: ${reason}`);
  }
}

export interface InsightParams {
  from?: number;
  to?: number;
  model?: AttributionModel;
  lookbackDays?: number;
  halfLifeDays?: number;
  topPaths?: number;
  asOf?: number;
  horizon?: number;
  unit?: 'day' | 'week';
  discountRate?: number;
  minSupport?: number;
  minConfidence?: number;
  period?: 'week' | 'month';
  basis?: 'purchase' | 'visit';
}

type Get = (name: string) => string | null | undefined;

/** Which parameters each analysis takes besides from and to. */
const ACCEPTS: Record<Analysis, (keyof InsightParams)[]> = {
  attribution: ['model', 'lookbackDays', 'halfLifeDays'],
  journeys: ['lookbackDays', 'topPaths'],
  cltv: ['asOf', 'horizon', 'unit', 'discountRate'],
  segments: ['asOf'],
  basket: ['minSupport', 'minConfidence'],
  cohorts: ['period', 'basis'],
  nps: ['period'],
};

const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

export function date(name: string, text: string): number {
  const time = ISO_DATE.test(text) ? Date.parse(text.length === 10 ? `${text}T00:00:00Z` : text) : Number.NaN;
  if (!Number.isFinite(time)) throw new ParamError(name, `must be an ISO 8601 date or date-time, got "${text.slice(0, 40)}"`);
  return time;
}

export function number(name: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < min || value > max) {
    throw new ParamError(name, `must be a number from ${min} to ${max}, got "${text.slice(0, 40)}"`);
  }
  return value;
}

export function oneOf<T extends string>(name: string, text: string, allowed: readonly T[]): T {
  if (!allowed.includes(text as T))
    throw new ParamError(name, `must be one of ${allowed.join(', ')}, got "${text.slice(0, 40)}"`);
  return text as T;
}

const READERS: Record<keyof InsightParams, (name: string, text: string) => InsightParams[keyof InsightParams]> = {
  from: date,
  to: date,
  asOf: date,
  model: (n, t) => oneOf(n, t, ATTRIBUTION_MODELS),
  lookbackDays: (n, t) => number(n, t, 1, 3650),
  halfLifeDays: (n, t) => number(n, t, 0.01, 3650),
  topPaths: (n, t) => number(n, t, 1, 1000),
  horizon: (n, t) => number(n, t, 1, 3650),
  unit: (n, t) => oneOf(n, t, ['day', 'week'] as const),
  discountRate: (n, t) => number(n, t, 0, 10),
  minSupport: (n, t) => number(n, t, 0, 1),
  minConfidence: (n, t) => number(n, t, 0, 1),
  period: (n, t) => oneOf(n, t, ['week', 'month'] as const),
  basis: (n, t) => oneOf(n, t, ['purchase', 'visit'] as const),
};

/** The `from` and `to` of a request that takes a period only (the dashboard's overview). */
export function parsePeriod(get: Get): { from?: number; to?: number } {
  const period: { from?: number; to?: number } = {};
  for (const name of ['from', 'to'] as const) {
    const text = get(name);
    if (text !== null && text !== undefined) period[name] = date(name, text);
  }
  if (period.from !== undefined && period.to !== undefined && period.from >= period.to)
    throw new ParamError('to', 'must be after from');
  return period;
}

export function parseAnalysis(name: string): Analysis {
  return oneOf('analysis', name, ANALYSES);
}

/** Reads the analysis's parameters; `names` lists what the caller sent, so an unknown one is refused by name. */
export function parseParams(analysis: Analysis, get: Get, names: Iterable<string> = []): InsightParams {
  const accepted = new Set<string>(['from', 'to', ...ACCEPTS[analysis]]);
  for (const name of names) {
    if (!accepted.has(name))
      throw new ParamError(name, `is not a parameter of ${analysis} (it takes ${[...accepted].join(', ')})`);
  }
  const params: InsightParams = {};
  for (const name of accepted) {
    const text = get(name);
    if (text !== null && text !== undefined)
      (params as Record<string, unknown>)[name] = READERS[name as keyof InsightParams](name, text);
  }
  if (params.from !== undefined && params.to !== undefined && params.from >= params.to)
    throw new ParamError('to', 'must be after from');
  return params;
}
