import { bars, lines } from '../charts.js';
import { type Dash, panel, periodParams } from '../panel.js';

interface Score {
  responses: number;
  nps: number;
  interval: [number, number];
}
interface Nps extends Score {
  overTime: ({ period: string } & Score)[];
  byChannel: ({ channel: string } & Score)[];
  bySegment: ({ segment: string } & Score)[];
  comments?: { time: string; score: number; comment: string }[];
}

const NPS: [number, number] = [-100, 100];
const ci = (s: Score) => `${Math.round(s.interval[0])} – ${Math.round(s.interval[1])}`;

/** NPS over time, per channel and per segment (with the 95 % interval), and the comments. */
export async function feedback(d: Dash): Promise<void> {
  const { t } = d;
  const params = periodParams(d.period);
  const n = await d.api.get<Nps>('/v1/insights/nps', params);
  const header = (first: string) => [first, t.responses, t.nps, '95 %'];
  const row = (label: string, s: Score) => [label, s.responses, Math.round(s.nps), ci(s)];
  d.main.append(
    panel(d, {
      id: 'nps-time',
      title: t.npsOverTime,
      chart: (id) =>
        lines(
          id,
          n.overTime.map((p) => p.period),
          [{ name: t.nps, values: n.overTime.map((p) => p.nps) }],
          'count',
          NPS,
        ),
      data: { header: header(t.time), rows: n.overTime.map((p) => row(p.period, p)) },
      csv: { path: '/v1/insights/nps', params },
    }),
    panel(d, {
      id: 'nps-channel',
      title: t.npsByChannel,
      chart: (id) =>
        bars(
          id,
          n.byChannel.map((c) => c.channel),
          [{ name: t.nps, values: n.byChannel.map((c) => c.nps) }],
          'count',
          NPS,
        ),
      data: { header: header(t.channel), rows: n.byChannel.map((c) => row(c.channel, c)) },
    }),
    panel(d, {
      id: 'nps-segment',
      title: t.npsBySegment,
      chart: (id) =>
        bars(
          id,
          n.bySegment.map((c) => c.segment),
          [{ name: t.nps, values: n.bySegment.map((c) => c.nps) }],
          'count',
          NPS,
        ),
      data: { header: header(t.segment), rows: n.bySegment.map((c) => row(c.segment, c)) },
    }),
    panel(d, {
      id: 'comments',
      title: t.comments,
      data: {
        header: [t.time, t.score, t.comment],
        rows: (n.comments ?? [])
          .slice(-100)
          .reverse()
          .map((c) => [c.time.slice(0, 16).replace('T', ' '), c.score, c.comment]),
      },
    }),
  );
}
