import { describe, expect, it } from 'vitest';
import { stitchIdentities } from './identity.js';
import { newCoverage, scanEvents } from './scan.js';
import { at, identify, order, page } from './test-events.js';
import type { Coverage, InsightEvent, PersonOptions } from './types.js';

async function scan(
  events: InsightEvent[],
  options: PersonOptions = {},
  purpose = 'analytics',
): Promise<{ used: { event: InsightEvent; person: string; time: number }[]; coverage: Coverage }> {
  const coverage = newCoverage(purpose);
  const used: { event: InsightEvent; person: string; time: number }[] = [];
  await scanEvents(events, options, coverage, (event, person, time) => used.push({ event, person, time }));
  return { used, coverage };
}

describe('scanEvents', () => {
  it('uses only events whose consent snapshot grants the purpose, and counts the rest by reason', async () => {
    const { used, coverage } = await scan(
      [page('a', at(0)), page('b', at(1), {}, { purposes: ['personalization'] }), order('c', at(2), 5, [], { purposes: null })],
      {},
      'analytics',
    );
    expect(used.map((s) => s.person)).toEqual(['a']);
    expect(coverage).toEqual({
      purpose: 'analytics',
      events: 3,
      used: 1,
      excluded: { 'purpose not granted': 1, 'no consent snapshot': 1 },
    });
  });

  it('assumes the configured purposes for events without a snapshot (server-side orders)', async () => {
    const { used } = await scan([order('c', at(2), 5, [], { purposes: null })], { purposesWithoutSnapshot: ['analytics'] });
    expect(used).toHaveLength(1);
  });

  it('leaves out events outside [from, to) and unreadable ones', async () => {
    const { used, coverage } = await scan(
      [page('a', at(0)), page('a', at(1)), page('a', at(2)), { type: 'page', timestamp: 'soon' }],
      {
        from: at(1),
        to: at(2),
      },
    );
    expect(used.map((s) => s.time)).toEqual([at(1)]);
    expect(coverage.excluded).toEqual({ 'outside period': 2, unreadable: 1 });
  });

  it('takes out people who objected or are restricted, by any of their ids', async () => {
    const events = [identify('anon-1', 'u1', at(0)), page('u1', at(1)), page('u2', at(1)), page('u3', at(2))];
    const { used, coverage } = await scan(events, {
      objected: ['anon-1'],
      restricted: ['u3'],
      identities: new Map([['anon-1', 'u1']]),
    });
    expect(used.map((s) => s.person)).toEqual(['u2']);
    expect(coverage.excluded).toEqual({ 'objection (Art. 21)': 2, 'restriction (Art. 18)': 1 });
  });

  it('takes a test of ids instead of a list', async () => {
    const { used } = await scan([page('u1', at(0)), page('u2', at(1))], { restricted: (id) => id === 'u2' });
    expect(used.map((s) => s.person)).toEqual(['u1']);
  });

  it('stitches anonymous events to the user an identify linked them to', async () => {
    const before = page('anon-1', at(0));
    const after = page('anon-1', at(2));
    expect((await scan([before, identify('anon-1', 'u1', at(1)), after])).used.map((s) => s.person)).toEqual([
      'anon-1',
      'u1',
      'u1',
    ]);
    const identities = new Map([['anon-1', 'u1']]);
    expect((await scan([before, after], { identities })).used.map((s) => s.person)).toEqual(['u1', 'u1']);
  });

  it('follows a shared browser from one user to the next: the latest link holds until the next', async () => {
    const events = [
      page('anon-1', at(0)),
      identify('anon-1', 'u1', at(1)),
      page('anon-1', at(2)),
      identify('anon-1', 'u2', at(3)),
      page('anon-1', at(4)),
    ];
    const identities = await stitchIdentities(events);
    expect([...identities]).toEqual([['anon-1', 'u2']]);
    expect((await scan(events, { identities })).used.map((s) => s.person)).toEqual(['u2', 'u1', 'u1', 'u2', 'u2']);
  });

  it('refuses events out of timestamp order with a message saying what to do', async () => {
    await expect(scan([page('a', at(1)), page('a', at(0))])).rejects.toThrow(/timestamp order.*Sort them first/);
  });
});
