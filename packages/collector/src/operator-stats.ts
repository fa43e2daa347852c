/**
 * The dashboard's overview figures, computed from the store on request (nothing derived is kept):
 * events, visitors and orders per day from the event stream, and the consent funnel and acceptance
 * rates from the consent log (by the time of the decision). Plain functions over rows, so a hand-worked example is a short test.
 */
import type { ConsentDecisionRow, EventRow } from './store.js';

const DAY_MS = 86_400_000;
const dayOf = (ms: number) => new Date(Math.floor(ms / DAY_MS) * DAY_MS).toISOString().slice(0, 10);

export interface DayActivity {
  day: string;
  events: number;
  /** Distinct people seen that day (anonymous id, else user id). */
  visitors: number;
  orders: number;
}

/** Events, distinct visitors and orders per UTC day, in day order; `orderEvents` name the conversions. */
export async function dailyActivity(rows: AsyncIterable<EventRow>, orderEvents: readonly string[]): Promise<DayActivity[]> {
  const days = new Map<string, { events: number; people: Set<string>; orders: number }>();
  for await (const row of rows) {
    const day = dayOf(row.timestamp);
    const d = days.get(day) ?? { events: 0, people: new Set<string>(), orders: 0 };
    days.set(day, d);
    d.events++;
    const who = row.anonymousId ?? row.userId;
    if (who) d.people.add(who);
    if (row.type === 'track' && row.event && orderEvents.includes(row.event)) d.orders++;
  }
  return [...days]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([day, d]) => ({ day, events: d.events, visitors: d.people.size, orders: d.orders }));
}

/** Decisions of one group (all, a locale, a day): how they split, and the share granting each purpose. */
export interface DecisionGroup {
  decisions: number;
  acceptAll: number;
  rejectAll: number;
  custom: number;
  /** Share (0–1) of the group's decisions that granted each purpose. */
  rates: Record<string, number>;
}

export interface ConsentStats {
  purposes: string[];
  /** Banner impressions are not counted: nothing is sent before the visitor decides. */
  funnel: DecisionGroup;
  bySource: { source: string; decisions: number }[];
  /** Share of decisions made by Global Privacy Control (source `gpc`). */
  gpcShare: number;
  byLocale: ({ locale: string } & DecisionGroup)[];
  overTime: ({ day: string } & DecisionGroup)[];
}

function group(): DecisionGroup & { granted: Map<string, number> } {
  return { decisions: 0, acceptAll: 0, rejectAll: 0, custom: 0, rates: {}, granted: new Map() };
}

function add(g: ReturnType<typeof group>, choices: Record<string, boolean>, purposes: string[]): void {
  g.decisions++;
  const granted = purposes.filter((p) => choices[p] === true);
  if (granted.length === purposes.length) g.acceptAll++;
  else if (granted.length === 0) g.rejectAll++;
  else g.custom++;
  for (const p of granted) g.granted.set(p, (g.granted.get(p) ?? 0) + 1);
}

function done({ granted, ...g }: ReturnType<typeof group>, purposes: string[]): DecisionGroup {
  const rates = Object.fromEntries(purposes.map((p) => [p, g.decisions ? (granted.get(p) ?? 0) / g.decisions : 0]));
  return { ...g, rates };
}

/**
 * The consent funnel and acceptance rates. A decision is "accept all" when it grants every purpose it
 * answers, "reject all" when it grants none, else "custom"; `necessary` is never a choice.
 */
export function consentStats(decisions: readonly ConsentDecisionRow[], from = -Infinity, to = Infinity): ConsentStats {
  const rows = decisions.filter((r) => {
    const at = Date.parse(r.decidedAt);
    return at >= from && at < to;
  });
  const all = group();
  const locales = new Map<string, ReturnType<typeof group>>();
  const days = new Map<string, ReturnType<typeof group>>();
  const sources = new Map<string, number>();
  const purposeSet = new Set<string>();
  const parsed = rows.map((row) => {
    const choices = JSON.parse(row.purposes) as Record<string, boolean>;
    for (const p of Object.keys(choices)) if (p !== 'necessary') purposeSet.add(p);
    return { row, choices };
  });
  const purposes = [...purposeSet].sort();
  for (const { row, choices } of parsed) {
    const answered = purposes.filter((p) => p in choices);
    add(all, choices, answered);
    const locale = row.locale?.toLowerCase() || 'unknown';
    if (!locales.has(locale)) locales.set(locale, group());
    add(locales.get(locale)!, choices, answered);
    const day = dayOf(Date.parse(row.decidedAt));
    if (!days.has(day)) days.set(day, group());
    add(days.get(day)!, choices, answered);
    sources.set(row.source, (sources.get(row.source) ?? 0) + 1);
  }
  return {
    purposes,
    funnel: done(all, purposes),
    bySource: [...sources].map(([source, decisions]) => ({ source, decisions })).sort((a, b) => b.decisions - a.decisions),
    gpcShare: all.decisions ? (sources.get('gpc') ?? 0) / all.decisions : 0,
    byLocale: [...locales].map(([locale, g]) => ({ locale, ...done(g, purposes) })).sort((a, b) => b.decisions - a.decisions),
    overTime: [...days].sort(([a], [b]) => (a < b ? -1 : 1)).map(([day, g]) => ({ day, ...done(g, purposes) })),
  };
}
