import { describe, expect, it } from 'vitest';
import { isConversion, orderRevenue, readOrder, readScore } from './orders.js';
import { order, survey, T0 } from './test-events.js';

describe('readOrder', () => {
  it('takes revenue, else total, else the sum of price × quantity', async () => {
    const products = [
      { sku: 'A', price: 10, quantity: 2 },
      { name: 'B', price: '5' },
    ];
    expect(readOrder({ type: 'track', timestamp: 0, properties: { revenue: 7, total: 9, products } }).revenue).toBe(7);
    expect(readOrder({ type: 'track', timestamp: 0, properties: { total: 9, products } }).revenue).toBe(9);
    expect(readOrder({ type: 'track', timestamp: 0, properties: { products, order_id: 42 } })).toEqual({
      orderId: '42',
      revenue: 25,
      products: ['A', 'B'],
    });
  });

  it('gives the same revenue through orderRevenue, which skips the products when it can', async () => {
    const products = [{ sku: 'A', price: 10, quantity: 2 }, { name: 'B', price: '5' }, null, 'junk', { price: 'x' }];
    for (const properties of [{ revenue: 7, total: 9, products }, { revenue: 'n/a', total: '9', products }, { products }, {}]) {
      const event = { type: 'track' as const, timestamp: 0, properties };
      expect(orderRevenue(event)).toBe(readOrder(event).revenue);
    }
    expect(orderRevenue({ type: 'track', timestamp: 0, properties: { products } })).toBe(25);
  });

  it('keys products by product_id, else sku, else name, once per order', async () => {
    const products = [{ product_id: 'p1', sku: 's1' }, { sku: 's2', name: 'n2' }, { product_id: 'p1' }, 'junk'];
    expect(readOrder({ type: 'track', timestamp: 0, properties: { products } }).products).toEqual(['p1', 's2']);
  });

  it('treats configured event names as conversions', async () => {
    const subscribed = { type: 'track' as const, event: 'Subscribed', timestamp: 0 };
    expect(isConversion(order('u', T0, 1))).toBe(true);
    expect(isConversion(subscribed)).toBe(false);
    expect(isConversion(subscribed, { conversionEvents: ['Subscribed'] })).toBe(true);
  });
});

describe('readScore', () => {
  it('reads an integer score from 0 to 10 and refuses anything else', async () => {
    expect(readScore(survey('u', T0, 9))).toBe(9);
    expect(readScore(survey('u', T0, 0))).toBe(0);
    expect(readScore(survey('u', T0, 11))).toBeUndefined();
    expect(readScore(survey('u', T0, 7.5))).toBeUndefined();
    expect(readScore(order('u', T0, 1))).toBeUndefined();
  });
});
