import { describe, expect, it } from 'vitest';
import { newCoverage, scanEvents } from './scan.js';
import { SessionState, sessionRules, startsSession } from './sessions.js';
import { at, order, page } from './test-events.js';
import type { InsightEvent } from './types.js';

/** The sessions' first touches: who, when, and the channel each session is credited to. */
async function touches(events: InsightEvent[]): Promise<{ person: string; time: number; channel: string }[]> {
  const rules = sessionRules({});
  const states = new Map<string, SessionState>();
  const found: { person: string; time: number; channel: string }[] = [];
  await scanEvents(events, {}, newCoverage('analytics'), (event, person, time) => {
    if (!states.has(person)) states.set(person, new SessionState());
    const touch = startsSession(states.get(person)!, event, time, rules);
    if (touch) found.push({ person, time, channel: touch.channel });
  });
  return found;
}

describe('startsSession', () => {
  it('starts a new session after 30 minutes without events, credited to its first page', async () => {
    const found = await touches([
      page('u', at(0, 0), { source: 'ads' }),
      page('u', at(0, 0.4)),
      page('u', at(0, 0.9)), // 30 min after the previous: same session
      page('u', at(0, 1.45)), // 33 min after: a new, direct session
    ]);
    expect(found.map((t) => [t.channel, t.time])).toEqual([
      ['ads', at(0, 0)],
      ['direct', at(0, 1.45)],
    ]);
  });

  it('starts a new session when a campaign or another site brings the visitor back mid-session, not a direct page', async () => {
    const found = await touches([
      page('u', at(0)),
      page('u', at(0, 0.1), { referrer: 'https://bing.com/' }),
      page('u', at(0, 0.2)),
    ]);
    expect(found.map((t) => t.channel)).toEqual(['direct', 'organic search']);
  });

  it('keeps a session open while other events arrive', async () => {
    const found = await touches([page('u', at(0)), order('u', at(0, 0.45), 10), page('u', at(0, 0.9))]);
    expect(found).toHaveLength(1);
  });

  it('keeps people apart', async () => {
    const found = await touches([page('a', at(0), { source: 'x' }), page('b', at(0, 0.1), { source: 'y' })]);
    expect(found.map((t) => [t.person, t.channel])).toEqual([
      ['a', 'x'],
      ['b', 'y'],
    ]);
  });
});
