import { periodOf, periodStart } from './cohorts.js';
import { readScore } from './orders.js';
import { newCoverage, scanEvents } from './scan.js';
import { type SessionOptions, SessionState, sessionRules, startsSession } from './sessions.js';
import type { Coverage, EventSource, ScanOptions } from './types.js';

export interface NpsOptions extends ScanOptions, SessionOptions {
  /** Period of the over-time series. Default `month`. */
  period?: 'week' | 'month';
  /** person → segment (e.g. from `segments`), for the per-segment breakdown; others are `unsegmented`. */
  segments?: ReadonlyMap<string, string>;
  /** List free-text comments (for the operator only). Default false. */
  includeComments?: boolean;
  /** Confidence level of the interval, as its z value. Default 1.96 (95 %). */
  z?: number;
}

export interface NpsScore {
  responses: number;
  promoters: number;
  passives: number;
  detractors: number;
  /** (promoters − detractors) / responses × 100. */
  nps: number;
  /** Wald interval [low, high] in NPS points, clipped to [−100, 100]. */
  interval: [number, number];
}

export interface NpsResult extends Coverage, NpsScore {
  byChannel: ({ channel: string } & NpsScore)[];
  bySegment: ({ segment: string } & NpsScore)[];
  overTime: ({ period: string } & NpsScore)[];
  comments?: { time: string; score: number; comment: string }[];
}

type Tally = [promoters: number, passives: number, detractors: number];

/**
 * NPS with its Wald interval. NPS is a difference of two multinomial proportions, so
 * Var = (p₊ + p₋ − (p₊ − p₋)²) / n (Rocks, "Interval Estimation for the Net Promoter Score",
 * The American Statistician 70(4), 2016, §2); interval = NPS ± z·√Var, in points.
 */
export function npsScore([promoters, passives, detractors]: Tally, z = 1.96): NpsScore {
  const n = promoters + passives + detractors;
  const plus = n ? promoters / n : 0;
  const minus = n ? detractors / n : 0;
  const nps = (plus - minus) * 100;
  const half = n ? z * Math.sqrt((plus + minus - (plus - minus) ** 2) / n) * 100 : 0;
  const interval: [number, number] = [Math.max(-100, nps - half), Math.min(100, nps + half)];
  return { responses: n, promoters, passives, detractors, nps, interval };
}

function add(groups: Map<string, Tally>, key: string, score: number): void {
  const tally = groups.get(key) ?? [0, 0, 0];
  tally[score >= 9 ? 0 : score >= 7 ? 1 : 2]++;
  groups.set(key, tally);
}

/** One score per group, most responses first (then by name). */
function scored<K extends string>(groups: Map<string, Tally>, name: K, z: number) {
  return [...groups]
    .sort(([x, tx], [y, ty]) => ty[0] + ty[1] + ty[2] - (tx[0] + tx[1] + tx[2]) || (x < y ? -1 : 1))
    .map(([key, tally]) => ({ [name]: key, ...npsScore(tally, z) }) as { [P in K]: string } & NpsScore);
}

/**
 * Net Promoter Score from `Survey Responded` events (score 0–10: 9–10 promoters, 7–8 passives,
 * 0–6 detractors), overall, per channel of the session answered in, per segment and per period.
 * Purpose: `analytics`.
 */
export async function nps(events: EventSource, options: NpsOptions = {}): Promise<NpsResult> {
  const coverage = newCoverage(options.purpose ?? 'analytics');
  const period = options.period ?? 'month';
  const z = options.z ?? 1.96;
  const rules = sessionRules(options);
  // Each person's session: its channel is the one an answer given in it is counted under.
  const sessions = new Map<string, SessionState>();
  const [all, byChannel, bySegment, overTime] = [
    new Map<string, Tally>(),
    new Map<string, Tally>(),
    new Map<string, Tally>(),
    new Map<string, Tally>(),
  ];
  const comments: NonNullable<NpsResult['comments']> = [];
  await scanEvents(events, options, coverage, (event, person, time) => {
    let session = sessions.get(person);
    if (!session) {
      session = new SessionState();
      sessions.set(person, session);
    }
    startsSession(session, event, time, rules);
    const score = readScore(event);
    if (score === undefined) return;
    add(all, '', score);
    add(byChannel, session.channel || 'unknown', score);
    add(bySegment, options.segments?.get(person) ?? 'unsegmented', score);
    add(overTime, periodStart(periodOf(time, period), period), score);
    const comment = event.properties?.comment;
    if (options.includeComments && typeof comment === 'string' && comment.trim()) {
      comments.push({ time: new Date(time).toISOString(), score, comment });
    }
  });
  return {
    ...coverage,
    ...npsScore(all.get('') ?? [0, 0, 0], z),
    byChannel: scored(byChannel, 'channel', z),
    bySegment: scored(bySegment, 'segment', z),
    overTime: scored(overTime, 'period', z).sort((x, y) => (x.period < y.period ? -1 : 1)),
    ...(options.includeComments ? { comments } : {}),
  };
}
