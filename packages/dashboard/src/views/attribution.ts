import { bars, legend } from '../charts.js';
import { type Dash, num, panel, percent, periodParams } from '../panel.js';

/** The attribution models of the insights API, in its order. */
export const MODELS = ['last', 'first', 'linear', 'time-decay', 'position', 'last-non-direct', 'markov', 'shapley'] as const;

interface Attribution {
  channels: { channel: string; conversions: number; revenue: number }[];
}
interface Journeys {
  topPaths: { path: string[]; conversions: number; journeys: number; conversionRate: number; revenue: number }[];
  timeToConvert: { days: string; conversions: number }[];
}

/** Every model side by side per channel (the same conversions credited each way), top paths, time to convert. */
export async function attribution(d: Dash): Promise<void> {
  const { t, lang } = d;
  const params = periodParams(d.period);
  const [results, journeys] = await Promise.all([
    Promise.all(MODELS.map((model) => d.api.get<Attribution>('/v1/insights/attribution', { ...params, model }))),
    d.api.get<Journeys>('/v1/insights/journeys', params),
  ]);
  const channels = [...new Set(results.flatMap((r) => r.channels.map((c) => c.channel)))].sort();
  const credit = (r: Attribution, channel: string) => r.channels.find((c) => c.channel === channel)?.conversions ?? 0;
  const series = MODELS.map((model, k) => ({ name: model, values: channels.map((ch) => credit(results[k]!, ch)) }));
  d.main.append(
    panel(d, {
      id: 'models',
      title: t.models,
      chart: (id) => bars(id, channels, series),
      after: legend([...MODELS]),
      data: {
        header: [t.channel, ...MODELS],
        rows: channels.map((ch) => [ch, ...results.map((r) => num(credit(r, ch), lang, 2))]),
      },
    }),
    panel(d, {
      id: 'paths',
      title: t.topPaths,
      data: {
        header: [t.path, t.conversions, t.journeys, t.conversionRate, t.revenue],
        rows: journeys.topPaths.map((p) => [
          p.path.join(' → '),
          p.conversions,
          p.journeys,
          percent(p.conversionRate, 1),
          num(p.revenue, lang),
        ]),
      },
      csv: { path: '/v1/insights/journeys', params },
    }),
    panel(d, {
      id: 'time-to-convert',
      title: t.timeToConvert,
      chart: (id) =>
        bars(
          id,
          journeys.timeToConvert.map((x) => x.days),
          [{ name: t.conversions, values: journeys.timeToConvert.map((x) => x.conversions) }],
        ),
      data: { header: [t.days, t.conversions], rows: journeys.timeToConvert.map((x) => [x.days, x.conversions]) },
    }),
  );
}
