import { describe, expect, it } from 'vitest';
import { quintileScores, SEGMENT_RULES, segmentOf, segments } from './rfm.js';
import { at, order } from './test-events.js';

describe('quintileScores', () => {
  it('scores 1 to 5 by the share of customers strictly below, ties equal', async () => {
    expect(quintileScores([10, 20, 30, 40, 50])).toEqual([1, 2, 3, 4, 5]);
    expect(quintileScores([1, 1, 1, 1, 9])).toEqual([1, 1, 1, 1, 5]);
    expect(quintileScores([5, 1, 3, 3, 2, 4, 6, 7, 8, 9])).toEqual([3, 1, 2, 2, 1, 3, 4, 4, 5, 5]);
  });
});

describe('segmentOf', () => {
  it('puts every cell of the R × FM grid in exactly one segment', async () => {
    for (let r = 1; r <= 5; r++) {
      for (let fm = 1; fm <= 5; fm++) {
        const matching = SEGMENT_RULES.filter((s) => r >= s.r[0] && r <= s.r[1] && fm >= s.fm[0] && fm <= s.fm[1]);
        expect(matching, `R${r} FM${fm}`).toHaveLength(1);
      }
    }
  });

  it('reads the table: FM is the rounded mean of F and M', async () => {
    expect(segmentOf(5, 5, 4)).toBe('Champions'); // FM 4.5 → 5
    expect(segmentOf(5, 1, 1)).toBe('New');
    expect(segmentOf(1, 5, 5)).toBe('Cannot lose');
    expect(segmentOf(2, 3, 4)).toBe('At risk'); // FM 3.5 → 4
    expect(segmentOf(1, 1, 2)).toBe('Lost'); // FM 1.5 → 2
    expect(segmentOf(3, 3, 3)).toBe('Need attention');
  });
});

describe('segments', () => {
  it('scores five customers into named segments with churn risk', async () => {
    // a: bought often and lately; e: once, long ago.
    const events = [
      order('e', at(0), 5),
      order('d', at(5), 10),
      order('a', at(10), 100),
      order('b', at(12), 40),
      order('c', at(20), 20),
      order('a', at(40), 100),
      order('b', at(45), 40),
      order('a', at(55), 100),
      order('c', at(58), 20),
    ];
    const result = await segments(events, { to: at(60) });
    const byPerson = Object.fromEntries(result.customers.map((c) => [c.person, [c.r, c.f, c.m, c.segment]]));
    expect(byPerson).toEqual({
      a: [4, 5, 5, 'Champions'],
      b: [3, 3, 4, 'Loyal'],
      c: [5, 3, 3, 'Potential loyalist'],
      d: [2, 1, 2, 'Hibernating'],
      e: [1, 1, 1, 'Lost'],
    });
    expect(result.purpose).toBe('personalization');
    const risk = Object.fromEntries(result.customers.map((c) => [c.person, c.churnRisk]));
    expect(risk.e).toBe(0); // no repeat purchase: BG/NBD cannot have seen it drop out
    expect(risk.a).toBeGreaterThanOrEqual(0);
    expect(result.segments.map((s) => s.segment)).toEqual(['Champions', 'Loyal', 'Potential loyalist', 'Hibernating', 'Lost']);
  });
});
