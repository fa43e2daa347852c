import { expect, it } from 'vitest';
import { SESSION_KEY, sessionContext } from './session.js';
import type { KeyValueStorage } from './types.js';

const MIN = 60_000;
const T0 = Date.UTC(2026, 11, 2, 12);

/** A session store over a Map, and the clock passed in per event. */
const make = (sessionTimeoutMs = 30 * MIN) => {
  const map = new Map<string, string>();
  const local_: KeyValueStorage = {
    getItem: (k) => map.get(k) ?? null,
    setItem: (k, v) => void map.set(k, v),
    removeItem: (k) => void map.delete(k),
  };
  return { map, at: (now: number) => sessionContext({ sessionTimeoutMs_: sessionTimeoutMs, local_ }, now) };
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
