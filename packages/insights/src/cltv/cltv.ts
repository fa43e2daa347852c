import { newCoverage } from '../scan.js';
import { type Coverage, DAY_MS, type EventSource } from '../types.js';
import { type BgNbdFit, expectedPurchases, fitBgNbd, probabilityAlive } from './bgnbd.js';
import { expectedSpend, fitGammaGamma, type GammaGammaFit } from './gamma-gamma.js';
import {
  type CustomerSummary,
  dayOf,
  type HistoryOptions,
  purchaseHistories,
  summarize,
  type TimeUnit,
  UNIT_DAYS,
} from './summary.js';

export interface CltvOptions extends HistoryOptions {
  /** The end of the observation (epoch ms); its UTC day is the last day counted. Default: `to` − 1 ms, else the last purchase. */
  asOf?: number;
  unit?: TimeUnit;
  /** How far ahead to predict, in `unit`s. Default 52 weeks / 365 days. */
  horizon?: number;
  /** Annual discount rate for CLTV. Default 0.1. */
  discountRate?: number;
  /** The horizon is cut into this many equal steps, each discounted at its end. Default 12. */
  discountSteps?: number;
}

/** Predictions are null when there is no fit, or when they are not finite numbers (the answer's notes say how many). */
export interface CustomerValue extends CustomerSummary {
  pAlive: number | null;
  expectedPurchases: number | null;
  expectedSpend: number | null;
  cltv: number | null;
}

export interface CltvResult extends Coverage {
  unit: TimeUnit;
  asOf: string;
  horizon: number;
  discountRate: number;
  /** Fitted parameters (v is Gamma-Gamma's γ); null when there were too few repeat customers to fit. */
  params: { r: number; alpha: number; a: number; b: number; p: number; q: number; v: number } | null;
  fit: { bgNbd: BgNbdFit; gammaGamma: GammaGammaFit } | null;
  customers: CustomerValue[];
  notes: string[];
}

/** Discounted expected spend over the horizon: the expected purchases of each step times E[M], discounted to now. */
export function discountedValue(
  purchasesBy: (t: number) => number,
  spend: number,
  horizon: number,
  unitsPerYear: number,
  rate: number,
  steps: number,
): number {
  let value = 0;
  let before = 0;
  for (let i = 1; i <= steps; i++) {
    const t = (horizon * i) / steps;
    const upTo = purchasesBy(t);
    value += ((upTo - before) * spend) / (1 + rate) ** (t / unitsPerYear);
    before = upTo;
  }
  return value;
}

function fitBoth(summaries: CustomerSummary[], notes: string[]) {
  try {
    const fit = { bgNbd: fitBgNbd(summaries), gammaGamma: fitGammaGamma(summaries) };
    for (const [name, f] of [
      ['BG/NBD', fit.bgNbd],
      ['Gamma-Gamma', fit.gammaGamma],
    ] as const) {
      if (f.atBound.length)
        notes.push(
          `${name} did not converge: ${f.atBound.join(', ')} ran to the edge of the search (1e-6 … 1e6); the data cannot tell them from an extreme (too few customers, or all alike), so the predictions are rough`,
        );
      else if (!f.converged) notes.push(`${name} did not converge within its evaluation budget; the predictions are rough`);
    }
    return fit;
  } catch (error) {
    notes.push((error as Error).message);
    return null;
  }
}

const NO_PREDICTION = { pAlive: null, expectedPurchases: null, expectedSpend: null, cltv: null };

/** One customer's predictions, or nulls when any is not a finite number (or the series behind them fails). */
function predict(
  fit: NonNullable<ReturnType<typeof fitBoth>>,
  summary: CustomerSummary,
  { horizon, unitsPerYear, rate, steps }: { horizon: number; unitsPerYear: number; rate: number; steps: number },
): Omit<CustomerValue, keyof CustomerSummary> {
  try {
    const spend = expectedSpend(fit.gammaGamma, summary);
    const by = (t: number) => expectedPurchases(fit.bgNbd, summary, t);
    const values = {
      pAlive: probabilityAlive(fit.bgNbd, summary),
      expectedPurchases: by(horizon),
      expectedSpend: spend,
      cltv: discountedValue(by, spend, horizon, unitsPerYear, rate, steps),
    };
    return Object.values(values).every(Number.isFinite) ? values : NO_PREDICTION;
  } catch {
    return NO_PREDICTION;
  }
}

/**
 * Customer lifetime value per person: historic revenue, and BG/NBD + Gamma-Gamma predictions over
 * the horizon. Profiling: needs `personalization` by default; objection and restriction apply.
 */
export async function cltv(events: EventSource, options: CltvOptions = {}): Promise<CltvResult> {
  const unit = options.unit ?? 'week';
  const horizon = options.horizon ?? 365 / UNIT_DAYS[unit];
  const rate = options.discountRate ?? 0.1;
  const coverage = newCoverage(options.purpose ?? 'personalization');
  const end = options.calibrationEnd ?? options.to;
  const histories = [...(await purchaseHistories(events, { ...options, calibrationEnd: end }, coverage)).values()];
  const lastDay = histories.reduce((last, h) => Math.max(last, h.lastDay), 0);
  const asOf = options.asOf ?? (end !== undefined ? end - 1 : lastDay * DAY_MS);
  const summaries = histories.map((history) => summarize(history, dayOf(asOf), unit));
  const notes: string[] = [];
  const fit = fitBoth(summaries, notes);
  const unitsPerYear = 365.25 / UNIT_DAYS[unit];
  const settings = { horizon, unitsPerYear, rate, steps: options.discountSteps ?? 12 };
  const customers = summaries.map(
    (summary): CustomerValue => ({ ...summary, ...(fit ? predict(fit, summary, settings) : NO_PREDICTION) }),
  );
  const unpredicted = fit ? customers.filter((c) => c.cltv === null).length : 0;
  if (unpredicted)
    notes.push(`${unpredicted} customers have no prediction: the fitted model gave them numbers that are not finite`);
  const params = fit && {
    r: fit.bgNbd.r,
    alpha: fit.bgNbd.alpha,
    a: fit.bgNbd.a,
    b: fit.bgNbd.b,
    p: fit.gammaGamma.p,
    q: fit.gammaGamma.q,
    v: fit.gammaGamma.gamma,
  };
  return { ...coverage, unit, asOf: new Date(asOf).toISOString(), horizon, discountRate: rate, params, fit, customers, notes };
}
