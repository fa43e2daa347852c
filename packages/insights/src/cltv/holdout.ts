import { newCoverage } from '../scan.js';
import type { Coverage, EventSource } from '../types.js';
import { type BgNbdFit, expectedPurchases, fitBgNbd } from './bgnbd.js';
import { dayOf, type HistoryOptions, purchaseHistories, summarize, type TimeUnit, UNIT_DAYS } from './summary.js';

export interface HoldoutOptions extends HistoryOptions {
  /** Calibration is [from, calibrationEnd), holdout [calibrationEnd, holdoutEnd) (epoch ms). */
  calibrationEnd: number;
  holdoutEnd: number;
  unit?: TimeUnit;
}

export interface HoldoutResult extends Coverage {
  unit: TimeUnit;
  /** Holdout length in units. */
  holdout: number;
  fit: BgNbdFit;
  customers: number;
  actual: number;
  predicted: number;
  /** Mean absolute error of the per-customer predictions. */
  meanAbsoluteError: number;
  /** As FHL 2005 fig. 4: mean actual and predicted holdout transactions by calibration frequency (`7+` groups the rest). */
  byFrequency: { frequency: string; customers: number; actual: number; predicted: number }[];
}

/**
 * Calibration/holdout check of BG/NBD: fit on the calibration period, predict each customer's
 * holdout transactions, compare with what happened. Needs `personalization` like the fit itself.
 */
export async function cltvHoldout(events: EventSource, options: HoldoutOptions): Promise<HoldoutResult> {
  if (!(options.holdoutEnd > options.calibrationEnd))
    throw new Error('[tillit] insights: holdoutEnd must be after calibrationEnd');
  const unit = options.unit ?? 'week';
  const coverage = newCoverage(options.purpose ?? 'personalization');
  const histories = [...(await purchaseHistories(events, { ...options, to: options.holdoutEnd }, coverage)).values()];
  const asOfDay = dayOf(options.calibrationEnd - 1);
  const holdout = (dayOf(options.holdoutEnd - 1) - asOfDay) / UNIT_DAYS[unit];
  const summaries = histories.map((history) => summarize(history, asOfDay, unit));
  const fit = fitBgNbd(summaries);
  const groups = new Map<string, { customers: number; actual: number; predicted: number }>();
  let actual = 0;
  let predicted = 0;
  let absoluteError = 0;
  summaries.forEach((summary, i) => {
    const real = histories[i]!.holdoutTransactions;
    const expected = expectedPurchases(fit, summary, holdout);
    actual += real;
    predicted += expected;
    absoluteError += Math.abs(real - expected);
    const key = summary.frequency >= 7 ? '7+' : String(summary.frequency);
    const group = groups.get(key) ?? { customers: 0, actual: 0, predicted: 0 };
    group.customers++;
    group.actual += real;
    group.predicted += expected;
    groups.set(key, group);
  });
  const byFrequency = ['0', '1', '2', '3', '4', '5', '6', '7+']
    .filter((key) => groups.has(key))
    .map((frequency) => {
      const g = groups.get(frequency)!;
      return { frequency, customers: g.customers, actual: g.actual / g.customers, predicted: g.predicted / g.customers };
    });
  const customers = summaries.length;
  return {
    ...coverage,
    unit,
    holdout,
    fit,
    customers,
    actual,
    predicted,
    meanAbsoluteError: absoluteError / customers,
    byFrequency,
  };
}
