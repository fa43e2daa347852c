import { describe, expect, it } from 'vitest';
import { nps, npsScore } from './nps.js';
import { at, page, survey } from './test-events.js';

describe('npsScore', () => {
  it('computes NPS and its Wald interval by hand', async () => {
    // 5 promoters, 2 passives, 3 detractors: NPS = 20; Var = (0.5 + 0.3 − 0.2²)/10 = 0.076.
    const score = npsScore([5, 2, 3]);
    const half = 1.96 * Math.sqrt(0.076) * 100;
    expect(score).toMatchObject({ responses: 10, nps: 20 });
    expect(score.interval[0]).toBeCloseTo(20 - half, 10);
    expect(score.interval[1]).toBeCloseTo(20 + half, 10);
    expect(npsScore([3, 0, 0]).interval).toEqual([100, 100]);
  });
});

describe('nps', () => {
  const events = [
    page('a', at(0), { source: 'mail' }),
    page('b', at(0), { referrer: 'https://www.google.com/' }),
    survey('b', at(0, 0.1), 3, 'Slow delivery'),
    survey('a', at(0, 0.2), 10, 'Great shop'),
    survey('c', at(40), 8),
    survey('d', at(41), 9, undefined, { purposes: ['personalization'] }),
  ];

  it('breaks scores down by channel, segment and month, comments only when asked', async () => {
    const result = await nps(events, { segments: new Map([['a', 'Champions']]) });
    expect(result).toMatchObject({
      responses: 3,
      promoters: 1,
      passives: 1,
      detractors: 1,
      nps: 0,
      excluded: { 'purpose not granted': 1 },
    });
    expect(result.byChannel.map((c) => [c.channel, c.nps])).toEqual([
      ['mail', 100],
      ['organic search', -100],
      ['unknown', 0],
    ]);
    expect(result.bySegment.map((s) => [s.segment, s.responses])).toEqual([
      ['unsegmented', 2],
      ['Champions', 1],
    ]);
    expect(result.overTime.map((p) => [p.period, p.responses])).toEqual([
      ['2026-01-01', 2],
      ['2026-02-01', 1],
    ]);
    expect(result.comments).toBeUndefined();
    expect((await nps(events, { includeComments: true })).comments?.map((c) => c.comment)).toEqual([
      'Slow delivery',
      'Great shop',
    ]);
  });
});
