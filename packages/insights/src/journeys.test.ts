import { describe, expect, it } from 'vitest';
import { journeys } from './journeys.js';
import { at, order, page } from './test-events.js';

describe('journeys', () => {
  it('lists top paths, path lengths and time to convert', async () => {
    const events = [
      page('u', at(0), { source: 'ads' }),
      page('v', at(0), { source: 'ads' }),
      page('w', at(0), { source: 'ads' }),
      page('u', at(3), { source: 'mail' }),
      page('v', at(3), { source: 'mail' }),
      order('u', at(5), 30),
      order('v', at(20), 20),
      order('x', at(20), 5),
    ];
    const result = await journeys(events);
    expect(result.conversions).toBe(3);
    expect(result.topPaths).toEqual([
      { path: ['ads', 'mail'], conversions: 2, journeys: 2, conversionRate: 1, revenue: 50 },
      { path: ['direct'], conversions: 1, journeys: 1, conversionRate: 1, revenue: 5 },
    ]);
    expect(result.pathLength).toEqual([
      { touches: '0', conversions: 1 },
      { touches: '2', conversions: 2 },
    ]);
    expect(result.timeToConvert).toEqual([
      { days: '<1', conversions: 1 },
      { days: '3-6', conversions: 1 },
      { days: '14-29', conversions: 1 },
    ]);
  });
});
