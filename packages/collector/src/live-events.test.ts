import { expect, it } from 'vitest';
import { LiveEvents } from './live-events.js';
import type { EventRow } from './store.js';

const row = (messageId: string, payload: object): EventRow => ({
  messageId,
  site: 's',
  type: 'track',
  event: 'Order Completed',
  anonymousId: 'anon-secretive',
  userId: 'alice@example.com',
  timestamp: 0,
  receivedAt: 0,
  payload: JSON.stringify(payload),
});

it('keeps the last entries only, with property names but no values and no ids but the messageId', () => {
  const live = new LiveEvents(3);
  const payload = { properties: { email: 'alice@example.com', revenue: 10 }, context: { consent: { purposes: ['analytics'] } } };
  live.record(
    's',
    0,
    [row('m1', payload), row('m2', payload)],
    [true, false],
    [{ index: 2, messageId: 'm3', reason: 'type: required' }],
  );
  live.record('s', 1000, [row('m4', payload)], [true], []);
  const entries = live.since(0);
  expect(entries.map((e) => [e.seq, e.messageId, e.status])).toEqual([
    [2, 'm2', 'duplicate'],
    [3, 'm3', 'rejected'],
    [4, 'm4', 'accepted'],
  ]);
  expect(entries[2]).toMatchObject({ properties: ['email', 'revenue'], purposes: ['analytics'], event: 'Order Completed' });
  expect(entries[1]!.reason).toBe('type: required');
  expect(JSON.stringify(entries)).not.toMatch(/alice|anon-secretive/);
  expect(live.since(3).map((e) => e.seq)).toEqual([4]);
  expect(live.since(0, 'other-site')).toEqual([]);
});

it('numbers every event of a request larger than the view, and keeps its last ones', () => {
  const live = new LiveEvents(3);
  const payload = { properties: { sku: 'A' }, context: { consent: { purposes: ['ads'] } } };
  const rows = ['m1', 'm2', 'm3', 'm4', 'm5'].map((id) => row(id, payload));
  const rejected = [
    { index: 5, messageId: 'm6', reason: 'type: required' },
    { index: 6, messageId: null, reason: 'type: required' },
  ];
  live.record('s', 0, rows, [true, true, true, true, false], rejected);
  expect(live.since(0).map((e) => [e.seq, e.messageId, e.status])).toEqual([
    [5, 'm5', 'duplicate'],
    [6, 'm6', 'rejected'],
    [7, null, 'rejected'],
  ]);
  expect(live.since(0)[0]).toMatchObject({ properties: ['sku'], purposes: ['ads'] });
  expect(live.since(6).map((e) => e.seq)).toEqual([7]);
});
