import { isConversion, type OrderOptions, orderRevenue } from './orders.js';
import { newCoverage, scanEvents } from './scan.js';
import { type Coverage, DAY_MS, type EventSource, type ScanOptions } from './types.js';

export interface CohortOptions extends ScanOptions, OrderOptions {
  /** Cohort and period length. Default `month`. */
  period?: 'week' | 'month';
  /** What makes someone join a cohort and be active in a period: a purchase (default) or any visit. */
  basis?: 'purchase' | 'visit';
}

export interface CohortRow {
  /** The cohort's first day (ISO date): a Monday for weeks, the 1st for months. */
  cohort: string;
  size: number;
  /** Index = periods since the cohort's period (0 = its own). */
  periods: { active: number; retention: number; revenue: number }[];
}

export interface CohortsResult extends Coverage {
  period: 'week' | 'month';
  basis: 'purchase' | 'visit';
  cohorts: CohortRow[];
}

/** Period number of a time: weeks since the Monday 1970-01-05, or months since January 1970 (UTC). */
export function periodOf(time: number, period: 'week' | 'month'): number {
  if (period === 'week') return Math.floor((time - 4 * DAY_MS) / (7 * DAY_MS));
  const date = new Date(time);
  return date.getUTCFullYear() * 12 + date.getUTCMonth() - 1970 * 12;
}

export function periodStart(index: number, period: 'week' | 'month'): string {
  const time = period === 'week' ? index * 7 * DAY_MS + 4 * DAY_MS : Date.UTC(1970, index, 1);
  return new Date(time).toISOString().slice(0, 10);
}

/**
 * Retention cohorts: people grouped by the period of their first purchase (or visit), and for each
 * later period how many of them were active and what they spent. Memory: one entry per person.
 * Purpose: `analytics`.
 */
export async function cohorts(events: EventSource, options: CohortOptions = {}): Promise<CohortsResult> {
  const period = options.period ?? 'month';
  const basis = options.basis ?? 'purchase';
  const coverage = newCoverage(options.purpose ?? 'analytics');
  const people = new Map<string, { cohort: number; lastOffset: number }>();
  const table = new Map<number, { size: number; active: number[]; revenue: number[] }>();
  await scanEvents(events, options, coverage, (event, person, time) => {
    const purchase = isConversion(event, options);
    if (basis === 'purchase' ? !purchase : event.type !== 'page' && !purchase) return;
    const index = periodOf(time, period);
    let member = people.get(person);
    if (!member) {
      member = { cohort: index, lastOffset: -1 };
      people.set(person, member);
      const row = table.get(index) ?? { size: 0, active: [], revenue: [] };
      row.size++;
      table.set(index, row);
    }
    const row = table.get(member.cohort)!;
    const offset = index - member.cohort;
    while (row.active.length <= offset) {
      row.active.push(0);
      row.revenue.push(0);
    }
    if (offset !== member.lastOffset) row.active[offset]!++;
    member.lastOffset = offset;
    if (purchase) row.revenue[offset]! += orderRevenue(event);
  });
  const rows = [...table].sort((x, y) => x[0] - y[0]);
  return {
    ...coverage,
    period,
    basis,
    cohorts: rows.map(([index, row]) => ({
      cohort: periodStart(index, period),
      size: row.size,
      periods: row.active.map((active, i) => ({ active, retention: active / row.size, revenue: row.revenue[i]! })),
    })),
  };
}
