import { describe, expect, it } from 'vitest';
import { type AttributionModel, attribution } from './attribution.js';
import { at, order, page } from './test-events.js';

// u: organic search (day 0) → social (day 7) → direct (day 14) and buys for 100 on day 14.
// v: came from the newsletter on day 0 and buys for 50 on day 40: the touch is outside the 30-day
//    lookback, so the conversion has no touch and counts as direct.
// w: came from the newsletter on day 1 and never bought (a journey without conversion).
const events = [
  page('u', at(0), { referrer: 'https://www.google.com/' }),
  page('v', at(0), { source: 'newsletter' }),
  page('w', at(1), { source: 'newsletter' }),
  page('u', at(7), { referrer: 'https://www.instagram.com/' }),
  page('u', at(14)),
  order('u', at(14), 100),
  order('v', at(40), 50),
];

async function credits(model: AttributionModel, options = {}) {
  const result = await attribution(events, { model, ...options });
  return Object.fromEntries(result.channels.map((c) => [c.channel, [+c.conversions.toFixed(6), +c.revenue.toFixed(6)]]));
}

describe('attribution', () => {
  it('last and first touch', async () => {
    expect(await credits('last')).toEqual({ direct: [2, 150] });
    expect(await credits('first')).toEqual({ 'organic search': [1, 100], direct: [1, 50] });
  });

  it('linear, time decay and position based', async () => {
    // u's 100 split 1/3 each; v's 50 all direct.
    expect(await credits('linear')).toEqual({
      direct: [1.333333, 83.333333],
      'organic search': [0.333333, 33.333333],
      social: [0.333333, 33.333333],
    });
    // 14, 7 and 0 days before: 1/7, 2/7, 4/7 of u's conversion.
    expect(await credits('time-decay')).toEqual({
      direct: [1.571429, 107.142857],
      social: [0.285714, 28.571429],
      'organic search': [0.142857, 14.285714],
    });
    expect(await credits('position')).toEqual({ direct: [1.4, 90], 'organic search': [0.4, 40], social: [0.2, 20] });
  });

  it('last non-direct', async () => {
    expect(await credits('last-non-direct')).toEqual({ social: [1, 100], direct: [1, 50] });
  });

  it('markov shares by removal effects: organic ½, social ½, direct 1, newsletter 0', async () => {
    expect(await credits('markov')).toEqual({ direct: [1, 75], 'organic search': [0.5, 37.5], social: [0.5, 37.5] });
  });

  it('markov learns from journeys without conversion too: a direct visit that does not buy lowers direct', async () => {
    // z comes direct on day 2 and never buys. Direct now converts 2 of 3 times, so P(conversion) = ½,
    // removing organic search (or social) leaves ⅓: effect ⅓ each; removing direct leaves 0: effect 1.
    // Shares ⅓ : ⅓ : 1 of the 2 conversions and 150 revenue.
    const withZ = [...events, page('z', at(2))].sort((x, y) => Date.parse(String(x.timestamp)) - Date.parse(String(y.timestamp)));
    const result = await attribution(withZ, { model: 'markov' });
    const got = Object.fromEntries(result.channels.map((c) => [c.channel, [c.conversions, c.revenue]]));
    expect(Object.keys(got).sort()).toEqual(['direct', 'organic search', 'social']);
    for (const [channel, [conversions, revenue]] of Object.entries({
      direct: [1.2, 90],
      'organic search': [0.4, 30],
      social: [0.4, 30],
    })) {
      expect(got[channel]![0]).toBeCloseTo(conversions!, 12);
      expect(got[channel]![1]).toBeCloseTo(revenue!, 12);
    }
  });

  it('shapley credits the conversions and not the channel that only led to no conversion', async () => {
    const result = await attribution(events, { model: 'shapley' });
    expect(result.channels.reduce((s, c) => s + c.conversions, 0)).toBeCloseTo(2, 12);
    expect(result.channels.map((c) => c.channel)).not.toContain('newsletter');
    expect(result.notes).toEqual(['Shapley values below zero (journeys with them convert less) get no credit: newsletter']);
  });

  it('a wider lookback reaches the older touch', async () => {
    expect(await credits('first', { lookbackDays: 45 })).toEqual({ 'organic search': [1, 100], newsletter: [1, 50] });
  });

  it('a touch counts for one conversion only', async () => {
    const again = [page('x', at(0), { source: 'ads' }), order('x', at(1), 10), order('x', at(2), 10)];
    const result = await attribution(again, { model: 'last' });
    expect(result.channels.map((c) => [c.channel, c.conversions])).toEqual([
      ['ads', 1],
      ['direct', 1],
    ]);
  });

  it('says which purpose it used and what it left out', async () => {
    const result = await attribution([...events.slice(0, 5), order('u', at(14), 100, [], { purposes: ['necessary'] })], {
      model: 'last',
    });
    expect(result).toMatchObject({
      purpose: 'analytics',
      conversions: 0,
      events: 6,
      used: 5,
      excluded: { 'purpose not granted': 1 },
    });
  });

  it('refuses an unknown model by name', async () => {
    await expect(attribution(events, { model: 'magic' as AttributionModel })).rejects.toThrow(
      /unknown attribution model "magic"/,
    );
  });
});
