import { fitBgNbd, probabilityAlive } from './cltv/bgnbd.js';
import { dayOf, type HistoryOptions, purchaseHistories, summarize } from './cltv/summary.js';
import { newCoverage } from './scan.js';
import { type Coverage, DAY_MS, type EventSource } from './types.js';

/**
 * The named segments, by recency score R and FM = round((F + M) / 2). Each (R, FM) cell of the 5×5
 * grid belongs to exactly one segment (the table is the rule; `segmentOf` reads it):
 *
 * | segment            | R   | FM  |
 * |--------------------|-----|-----|
 * | Champions          | 4–5 | 4–5 |
 * | Loyal              | 3   | 4–5 |
 * | Potential loyalist | 4–5 | 2–3 |
 * | New                | 5   | 1   |
 * | Promising          | 4   | 1   |
 * | Need attention     | 3   | 3   |
 * | About to sleep     | 3   | 1–2 |
 * | Cannot lose        | 1–2 | 5   |
 * | At risk            | 1–2 | 3–4 |
 * | Hibernating        | 2   | 1–2 |
 * | Lost               | 1   | 1–2 |
 */
export const SEGMENT_RULES: readonly { segment: string; r: [number, number]; fm: [number, number] }[] = [
  { segment: 'Champions', r: [4, 5], fm: [4, 5] },
  { segment: 'Loyal', r: [3, 3], fm: [4, 5] },
  { segment: 'Potential loyalist', r: [4, 5], fm: [2, 3] },
  { segment: 'New', r: [5, 5], fm: [1, 1] },
  { segment: 'Promising', r: [4, 4], fm: [1, 1] },
  { segment: 'Need attention', r: [3, 3], fm: [3, 3] },
  { segment: 'About to sleep', r: [3, 3], fm: [1, 2] },
  { segment: 'Cannot lose', r: [1, 2], fm: [5, 5] },
  { segment: 'At risk', r: [1, 2], fm: [3, 4] },
  { segment: 'Hibernating', r: [2, 2], fm: [1, 2] },
  { segment: 'Lost', r: [1, 1], fm: [1, 2] },
];

export function segmentOf(r: number, f: number, m: number): string {
  const fm = Math.round((f + m) / 2);
  const rule = SEGMENT_RULES.find((s) => r >= s.r[0] && r <= s.r[1] && fm >= s.fm[0] && fm <= s.fm[1]);
  return rule!.segment;
}

/**
 * Quintile scores 1–5: score = 1 + ⌊5 · (customers with a strictly lower value) / n⌋, so equal values
 * always get equal scores and the highest value scores 5 only when it is above the top 20 %.
 */
export function quintileScores(values: readonly number[]): number[] {
  const sorted = Float64Array.from(values).sort();
  const below = (value: number) => {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid]! < value) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return values.map((value) => 1 + Math.floor((5 * below(value)) / values.length));
}

export interface SegmentOptions extends HistoryOptions {
  /** The day scores are taken on (epoch ms). Default: `to` − 1 ms, else the last purchase. */
  asOf?: number;
}

export interface CustomerSegment {
  person: string;
  /** Days since the last purchase. */
  recency: number;
  /** Purchase days (transactions). */
  frequency: number;
  monetary: number;
  r: number;
  f: number;
  m: number;
  segment: string;
  /** 1 − P(alive) from a BG/NBD fit on the same customers (null when it cannot be fitted). */
  churnRisk: number | null;
}

export interface SegmentsResult extends Coverage {
  asOf: string;
  segments: { segment: string; customers: number; revenue: number }[];
  customers: CustomerSegment[];
}

function churnRisks(
  histories: Awaited<ReturnType<typeof purchaseHistories>>,
  asOfDay: number,
): (person: string) => number | null {
  const summaries = new Map([...histories.values()].map((h) => [h.person, summarize(h, asOfDay, 'day')]));
  try {
    const fit = fitBgNbd(summaries.values());
    return (person) => {
      const risk = 1 - probabilityAlive(fit, summaries.get(person)!);
      return Number.isFinite(risk) ? risk : null;
    };
  } catch {
    return () => null;
  }
}

/** RFM scores, named segments and churn risk per customer. Profiling: `personalization`; objection and restriction apply. */
export async function segments(events: EventSource, options: SegmentOptions = {}): Promise<SegmentsResult> {
  const coverage = newCoverage(options.purpose ?? 'personalization');
  const histories = await purchaseHistories(events, { ...options, calibrationEnd: options.to }, coverage);
  const list = [...histories.values()];
  const lastDay = list.reduce((last, h) => Math.max(last, h.lastDay), 0);
  const asOf = options.asOf ?? (options.to !== undefined ? options.to - 1 : lastDay * DAY_MS);
  const asOfDay = dayOf(asOf);
  const r = quintileScores(list.map((h) => -(asOfDay - h.lastDay)));
  const f = quintileScores(list.map((h) => h.transactions));
  const m = quintileScores(list.map((h) => h.revenue));
  const churn = churnRisks(histories, asOfDay);
  const customers = list.map((h, i): CustomerSegment => {
    const [ri, fi, mi] = [r[i]!, f[i]!, m[i]!];
    const segment = segmentOf(ri, fi, mi);
    return {
      person: h.person,
      recency: asOfDay - h.lastDay,
      frequency: h.transactions,
      monetary: h.revenue,
      r: ri,
      f: fi,
      m: mi,
      segment,
      churnRisk: churn(h.person),
    };
  });
  const totals = new Map<string, { segment: string; customers: number; revenue: number }>();
  for (const c of customers) {
    const row = totals.get(c.segment) ?? { segment: c.segment, customers: 0, revenue: 0 };
    row.customers++;
    row.revenue += c.monetary;
    totals.set(c.segment, row);
  }
  const order = SEGMENT_RULES.map((s) => s.segment);
  const summary = [...totals.values()].sort((x, y) => order.indexOf(x.segment) - order.indexOf(y.segment));
  return { ...coverage, asOf: new Date(asOf).toISOString(), segments: summary, customers };
}
