import { describe, expect, it } from 'vitest';
import { basket } from './basket.js';
import { at, order } from './test-events.js';

describe('basket', () => {
  // Four orders: {bread, butter}, {bread, butter, jam}, {bread}, {jam}.
  //   bread → butter: support 2/4, confidence 2/3, lift (2/3)/(2/4) = 4/3.
  //   butter → bread: support 2/4, confidence 1, lift 1/(3/4) = 4/3.
  //   jam → butter: support 1/4, confidence 1/2, lift (1/2)/(2/4) = 1.
  //   jam → bread: support 1/4, confidence 1/2, lift (1/2)/(3/4) = 2/3.
  const events = [
    order('a', at(0), 5, ['bread', 'butter']),
    order('b', at(1), 8, ['bread', 'butter', 'jam']),
    order('c', at(2), 2, ['bread']),
    order('d', at(3), 3, ['jam']),
  ];

  it('finds support, confidence and lift of each pair', async () => {
    const result = await basket(events);
    expect(result.orders).toBe(4);
    const rules = Object.fromEntries(result.rules.map((r) => [r.product, r.rules]));
    expect(rules.bread![0]).toEqual({
      antecedent: 'bread',
      consequent: 'butter',
      support: 0.5,
      confidence: 2 / 3,
      lift: 4 / 3,
      orders: 2,
    });
    expect(rules.butter![0]).toMatchObject({ consequent: 'bread', confidence: 1, lift: 4 / 3 });
    expect(rules.jam!.map((r) => [r.consequent, r.lift])).toEqual([
      ['butter', 1],
      ['bread', 2 / 3],
    ]);
    expect(result.products[0]).toEqual({ product: 'bread', orders: 3, support: 0.75 });
  });

  it('drops rules below the minimum support', async () => {
    const result = await basket(events, { minSupport: 0.5 });
    expect(result.rules.flatMap((r) => r.rules.map((x) => `${x.antecedent}>${x.consequent}`))).toEqual([
      'bread>butter',
      'butter>bread',
    ]);
  });
});
