import { bars, hbars, scatter } from '../charts.js';
import { type Dash, num, panel, percent, periodParams } from '../panel.js';

interface Cltv {
  /** pAlive and cltv are null where the model could not predict (a degenerate fit). */
  customers: { person: string; frequency: number; pAlive: number | null; cltv: number | null }[];
}
interface Segments {
  segments: { segment: string; customers: number; revenue: number }[];
  customers: { person: string; segment: string; churnRisk: number | null; monetary: number }[];
}

/** A short, stable pseudonym for a customer id (FNV-1a, 32 bits): the dashboard never shows the id itself. */
export function pseudonym(id: string): string {
  let x = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) x = Math.imul(x ^ id.charCodeAt(i), 0x01000193);
  return `c-${(x >>> 0).toString(16).padStart(8, '0')}`;
}

/** Customers per CLTV band: bands of equal width up to the 95th percentile, the rest in the last one. */
export function cltvBands(values: number[], bands = 8): { label: string; count: number }[] {
  if (!values.length) return [];
  const sorted = [...values].sort((a, b) => a - b);
  const top = sorted[Math.floor((sorted.length - 1) * 0.95)]! || sorted.at(-1)! || 1;
  const width = top / bands;
  const counts = new Array<number>(bands).fill(0);
  for (const v of values) counts[Math.min(bands - 1, Math.max(0, Math.floor(v / width)))]!++;
  return counts.map((count, i) => ({
    label: i === bands - 1 ? `≥${Math.round(i * width)}` : `${Math.round(i * width)}–${Math.round((i + 1) * width)}`,
    count,
  }));
}

/** CLTV distribution, P(alive) against frequency, the RFM grid, and who is most at risk (pseudonymous). */
export async function customers(d: Dash): Promise<void> {
  const { t, lang } = d;
  const params = periodParams(d.period);
  const [cltv, segments] = await Promise.all([
    d.api.get<Cltv>('/v1/insights/cltv', params),
    d.api.get<Segments>('/v1/insights/segments', params),
  ]);
  const predicted = cltv.customers.filter(
    (c): c is Cltv['customers'][number] & { pAlive: number; cltv: number } => c.pAlive !== null && c.cltv !== null,
  );
  const bands = cltvBands(predicted.map((c) => c.cltv));
  const byFrequency = new Map<number, { sum: number; n: number }>();
  for (const c of predicted) {
    const f = byFrequency.get(c.frequency) ?? { sum: 0, n: 0 };
    f.sum += c.pAlive;
    f.n++;
    byFrequency.set(c.frequency, f);
  }
  const freq = [...byFrequency].sort((a, b) => a[0] - b[0]);
  const atRisk = segments.customers
    .filter((c) => c.churnRisk !== null)
    .sort((a, b) => b.churnRisk! - a.churnRisk! || b.monetary - a.monetary)
    .slice(0, 20);
  d.main.append(
    panel(d, {
      id: 'cltv',
      title: t.cltvDist,
      chart: (id) =>
        bars(
          id,
          bands.map((b) => b.label),
          [{ name: t.customerCount, values: bands.map((b) => b.count) }],
        ),
      data: { header: [t.cltvBand, t.customerCount], rows: bands.map((b) => [b.label, b.count]) },
    }),
    panel(d, {
      id: 'palive',
      title: t.pAlive,
      chart: (id) =>
        scatter(
          id,
          predicted.map((c) => [c.frequency, c.pAlive]),
          'percent',
        ),
      data: { header: [t.frequency, t.customerCount, t.meanPAlive], rows: freq.map(([f, x]) => [f, x.n, percent(x.sum / x.n)]) },
    }),
    panel(d, {
      id: 'rfm',
      title: t.rfm,
      chart: (id) =>
        hbars(
          id,
          segments.segments.map((s) => s.segment),
          segments.segments.map((s) => s.customers),
        ),
      data: {
        header: [t.segment, t.customerCount, t.revenue],
        rows: segments.segments.map((s) => [s.segment, s.customers, num(s.revenue, lang)]),
      },
    }),
    panel(d, {
      id: 'churn',
      title: t.churn,
      note: t.churnNote,
      data: {
        header: [t.person, t.segment, t.churnRisk, t.revenue],
        rows: atRisk.map((c) => [pseudonym(c.person), c.segment, percent(c.churnRisk!), num(c.monetary, lang)]),
      },
    }),
  );
}
