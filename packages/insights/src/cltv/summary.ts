import { isConversion, type OrderOptions, orderRevenue } from '../orders.js';
import { scanEvents } from '../scan.js';
import { type Coverage, DAY_MS, type EventSource, type PersonOptions } from '../types.js';

export type TimeUnit = 'day' | 'week';
export const UNIT_DAYS: Record<TimeUnit, number> = { day: 1, week: 7 };

/** One customer's purchase history; purchases on the same (UTC) day count as one transaction. */
export interface PurchaseHistory {
  person: string;
  firstDay: number;
  lastDay: number;
  /** Distinct purchase days up to the end of calibration. */
  transactions: number;
  firstDayRevenue: number;
  revenue: number;
  /** Distinct purchase days after the end of calibration (holdout), when one is asked for. */
  holdoutTransactions: number;
  lastHoldoutDay: number;
}

/** The inputs of BG/NBD and Gamma-Gamma for one customer, in the chosen unit. */
export interface CustomerSummary {
  person: string;
  /** Repeat transactions: distinct purchase days after the first. */
  frequency: number;
  /** Time from first to last purchase. */
  recency: number;
  /** Time from first purchase to the end of the observation. */
  T: number;
  /** Average value of the repeat transactions (0 without any), as Fader, Hardie & Lee use it. */
  monetary: number;
  /** Revenue to date (historic value). */
  revenue: number;
}

export interface HistoryOptions extends PersonOptions, OrderOptions {
  /** Purchases from this time (epoch ms) on are holdout, not calibration. */
  calibrationEnd?: number;
}

export const dayOf = (time: number) => Math.floor(time / DAY_MS);

function record(history: PurchaseHistory, day: number, revenue: number, holdout: boolean): void {
  if (holdout) {
    if (day !== history.lastHoldoutDay) history.holdoutTransactions++;
    history.lastHoldoutDay = day;
    return;
  }
  if (day !== history.lastDay) history.transactions++;
  if (day === history.firstDay) history.firstDayRevenue += revenue;
  history.lastDay = day;
  history.revenue += revenue;
}

/**
 * Every customer's purchase history from conversion events: O(1) memory per customer. Customers
 * whose first purchase falls in the holdout are not customers of the calibration and are skipped.
 */
export async function purchaseHistories(
  events: EventSource,
  options: HistoryOptions,
  coverage: Coverage,
): Promise<Map<string, PurchaseHistory>> {
  const histories = new Map<string, PurchaseHistory>();
  const calibrationEnd = options.calibrationEnd ?? Number.POSITIVE_INFINITY;
  await scanEvents(events, options, coverage, (event, person, time) => {
    if (!isConversion(event, options)) return;
    const holdout = time >= calibrationEnd;
    const day = dayOf(time);
    let history = histories.get(person);
    if (!history) {
      if (holdout) return;
      history = {
        person,
        firstDay: day,
        lastDay: Number.NaN,
        transactions: 0,
        firstDayRevenue: 0,
        revenue: 0,
        holdoutTransactions: 0,
        lastHoldoutDay: Number.NaN,
      };
      histories.set(person, history);
    }
    record(history, day, orderRevenue(event), holdout);
  });
  return histories;
}

/** A history as BG/NBD sees it at the end of day `asOfDay`, in `unit`s. */
export function summarize(history: PurchaseHistory, asOfDay: number, unit: TimeUnit = 'day'): CustomerSummary {
  const days = UNIT_DAYS[unit];
  const frequency = history.transactions - 1;
  return {
    person: history.person,
    frequency,
    recency: (history.lastDay - history.firstDay) / days,
    T: (asOfDay - history.firstDay) / days,
    monetary: frequency > 0 ? (history.revenue - history.firstDayRevenue) / frequency : 0,
    revenue: history.revenue,
  };
}
