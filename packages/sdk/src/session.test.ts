import { expect, it } from 'vitest';
import { SESSION_KEY, sessionContext } from './session.js';
import type { KeyValueStorage } from './types.js';

const MIN = 60_000;
const T0 = Date.UTC(2026, 11, 2, 12);

/** A session store over a Map (counting its reads), one page's state, and the clock passed in per event. */
const make = (sessionTimeoutMs = 30 * MIN) => {
  const map = new Map<string, string>();
  const reads = { n: 0 };
  const local_: KeyValueStorage = {
    getItem: (k) => {
      reads.n++;
      return map.get(k) ?? null;
    },
    setItem: (k, v) => void map.set(k, v),
    removeItem: (k) => void map.delete(k),
  };
  const state: Parameters<typeof sessionContext>[0] = { sessionTimeoutMs_: sessionTimeoutMs, local_ };
  return { map, reads, state, at: (now: number) => sessionContext(state, now) };
};

it('numbers a session by its start time in ms and marks only its first event', () => {
  const { at } = make();
  expect(at(T0)).toEqual({ sessionId: T0, sessionStart: true });
  expect(at(T0 + 5 * MIN)).toEqual({ sessionId: T0, sessionStart: undefined });
  expect(JSON.stringify(at(T0 + 6 * MIN))).toBe(`{"sessionId":${T0}}`);
});

it('starts a new session after the timeout of inactivity, counted from the last event', () => {
  const { at } = make();
  at(T0);
  at(T0 + 29 * MIN); // activity keeps it open
  expect(at(T0 + 58 * MIN)).toEqual({ sessionId: T0, sessionStart: undefined });
  expect(at(T0 + 88 * MIN)).toEqual({ sessionId: T0 + 88 * MIN, sessionStart: true });
});

it('takes its timeout from the config', () => {
  const { at } = make(10_000);
  at(T0);
  expect(at(T0 + 9_999)?.sessionStart).toBeUndefined();
  expect(at(T0 + 20_000)).toEqual({ sessionId: T0 + 20_000, sessionStart: true });
});

it('is off with a timeout of 0 (or NaN): no fields, nothing stored', () => {
  for (const timeout of [0, Number.NaN, -1]) {
    const { at, map } = make(timeout);
    expect(at(T0)).toBeUndefined();
    expect(map.size).toBe(0);
  }
});

it('starts a new session over an unreadable stored one', () => {
  const { at, map } = make();
  map.set(SESSION_KEY, '{not json');
  expect(at(T0)).toEqual({ sessionId: T0, sessionStart: true });
  expect(map.get(SESSION_KEY)).toBe(`[${T0},${T0}]`);
});

it('stores its activity at most once a second (a localStorage write per event was most of track()), and a new session at once', () => {
  const { at, map } = make();
  const stored = () => JSON.parse(map.get(SESSION_KEY)!);
  at(T0);
  at(T0 + 400);
  expect(stored()).toEqual([T0, T0]);
  at(T0 + 1_000);
  expect(stored()).toEqual([T0, T0 + 1_000]);
  expect(at(T0 + 1_000 + 30 * MIN)).toEqual({ sessionId: T0 + 1_000 + 30 * MIN, sessionStart: true });
  expect(stored()).toEqual([T0 + 1_000 + 30 * MIN, T0 + 1_000 + 30 * MIN]);
});

it('reads storage at most once a second: within a second of the last event the pair it read or wrote holds', () => {
  const { at, map, reads, state } = make();
  map.set(SESSION_KEY, JSON.stringify([T0 - MIN, T0 - 500])); // another tab's event half a second ago
  expect(at(T0)).toEqual({ sessionId: T0 - MIN, sessionStart: undefined });
  for (let ms = 1; ms < 500; ms += 50) at(T0 + ms);
  expect(reads.n).toBe(1);
  at(T0 + 500); // a second after the stored event: read again, and this event's time written
  expect(reads.n).toBe(2);
  expect(JSON.parse(map.get(SESSION_KEY)!)).toEqual([T0 - MIN, T0 + 500]);
  at(T0 + 1_499);
  expect(reads.n).toBe(2);
  // Withdrawal removes the stored session and the page's pair (decisions.ts): the next event starts a new one.
  map.delete(SESSION_KEY);
  state.visit_ = null;
  expect(at(T0 + 1_600)).toEqual({ sessionId: T0 + 1_600, sessionStart: true });
});
