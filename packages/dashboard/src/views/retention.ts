import { heatmap } from '../charts.js';
import { type Dash, fillN, panel, percent, periodParams } from '../panel.js';

interface Cohorts {
  cohorts: { cohort: string; size: number; periods: { active: number; retention: number; revenue: number }[] }[];
}

/** The cohort heatmap: share of each cohort active in each period after its first. */
export async function retention(d: Dash): Promise<void> {
  const { t } = d;
  const params = periodParams(d.period);
  const c = await d.api.get<Cohorts>('/v1/insights/cohorts', params);
  const width = Math.min(12, Math.max(0, ...c.cohorts.map((x) => x.periods.length)));
  const cols = Array.from({ length: width }, (_, i) => String(i));
  const values = c.cohorts.map((x) => cols.map((_, i) => x.periods[i]?.retention ?? null));
  d.main.append(
    panel(d, {
      id: 'cohorts',
      title: t.cohorts,
      chart: (id) =>
        heatmap(
          id,
          c.cohorts.map((x) => x.cohort),
          cols,
          values,
        ),
      data: {
        header: [t.cohort, t.size, ...cols.map((n) => fillN(t.periodN, n))],
        rows: c.cohorts.map((x, i) => [x.cohort, x.size, ...values[i]!.map((v) => (v === null ? '' : percent(v)))]),
      },
      csv: { path: '/v1/insights/cohorts', params },
    }),
  );
}
