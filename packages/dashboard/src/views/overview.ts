import { bars, hbars, legend, lines } from '../charts.js';
import { type Dash, num, panel, percent, periodParams } from '../panel.js';
import { fill } from '../texts.js';

interface Group {
  decisions: number;
  acceptAll: number;
  rejectAll: number;
  custom: number;
  rates: Record<string, number>;
}

interface Overview {
  days: { day: string; events: number; visitors: number; orders: number }[];
  consent: {
    purposes: string[];
    funnel: Group;
    gpcShare: number;
    byLocale: ({ locale: string } & Group)[];
    overTime: ({ day: string } & Group)[];
  };
}

/** Days merged into weeks (starting Monday, named by it): daily rates of a few decisions are noise. */
export function byWeek(
  days: ({ day: string } & Group)[],
  purposes: string[],
): { day: string; decisions: number; rates: Record<string, number> }[] {
  const weeks = new Map<string, { decisions: number; granted: Record<string, number> }>();
  for (const g of days) {
    const at = Date.parse(`${g.day}T00:00:00Z`);
    const monday = new Date(at - ((new Date(at).getUTCDay() + 6) % 7) * 86_400_000).toISOString().slice(0, 10);
    const w = weeks.get(monday) ?? { decisions: 0, granted: {} };
    w.decisions += g.decisions;
    for (const p of purposes) w.granted[p] = (w.granted[p] ?? 0) + (g.rates[p] ?? 0) * g.decisions;
    weeks.set(monday, w);
  }
  return [...weeks].map(([day, w]) => ({
    day,
    decisions: w.decisions,
    rates: Object.fromEntries(purposes.map((p) => [p, w.decisions ? (w.granted[p] ?? 0) / w.decisions : 0])),
  }));
}

/** Activity per day, the consent funnel, acceptance per purpose, locale and day, GPC share. */
export async function overview(d: Dash): Promise<void> {
  const { t, lang } = d;
  const o = await d.api.get<Overview>('/v1/admin/overview', periodParams(d.period));
  const c = o.consent;
  const days = o.days.map((x) => x.day);
  const series = [
    { name: t.events, values: o.days.map((x) => x.events) },
    { name: t.visitors, values: o.days.map((x) => x.visitors) },
    { name: t.orders, values: o.days.map((x) => x.orders) },
  ];
  const kinds = [t.acceptAll, t.rejectAll, t.custom];
  const weeks = byWeek(c.overTime, c.purposes);
  const split = (g: Group) => [g.acceptAll, g.rejectAll, g.custom];
  d.main.append(
    panel(d, {
      id: 'activity',
      title: t.activity,
      chart: (id) => lines(id, days, series),
      after: legend(series.map((x) => x.name)),
      data: { header: [t.day, t.events, t.visitors, t.orders], rows: o.days.map((x) => [x.day, x.events, x.visitors, x.orders]) },
    }),
    panel(d, {
      id: 'funnel',
      title: t.funnel,
      note: `${t.funnelNote} ${fill(t.gpc, { share: percent(c.gpcShare, 1) })}`,
      chart: (id) => bars(id, kinds, [{ name: t.decisions, values: split(c.funnel) }]),
      data: {
        header: [t.decisions, ...kinds],
        rows: c.funnel.decisions ? [[c.funnel.decisions, ...split(c.funnel)].map((n) => num(n, lang))] : [],
      },
    }),
    panel(d, {
      id: 'purposes',
      title: t.perPurpose,
      chart: (id) =>
        hbars(
          id,
          c.purposes,
          c.purposes.map((p) => c.funnel.rates[p] ?? 0),
          'percent',
        ),
      data: {
        header: [t.purpose, t.rate],
        rows: c.funnel.decisions ? c.purposes.map((p) => [p, percent(c.funnel.rates[p] ?? 0)]) : [],
      },
    }),
    panel(d, {
      id: 'locales',
      title: t.perLocale,
      data: {
        header: [t.locale, t.decisions, ...kinds, ...c.purposes],
        rows: c.byLocale.map((g) => [
          g.locale,
          num(g.decisions, lang),
          ...split(g),
          ...c.purposes.map((p) => percent(g.rates[p] ?? 0)),
        ]),
      },
    }),
    panel(d, {
      id: 'consent-time',
      title: t.overTime,
      chart: (id) =>
        lines(
          id,
          weeks.map((g) => g.day),
          c.purposes.map((p) => ({ name: p, values: weeks.map((g) => g.rates[p] ?? 0) })),
          'percent',
        ),
      after: legend(c.purposes),
      data: {
        header: [t.week, t.decisions, ...c.purposes],
        rows: weeks.map((g) => [g.day, g.decisions, ...c.purposes.map((p) => percent(g.rates[p] ?? 0))]),
      },
    }),
  );
}
