import { expect, it, vi } from 'vitest';
import { secret, uuidv7 } from './ids.js';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

it('makes RFC 9562 version 7 UUIDs that carry the time', () => {
  const id = uuidv7(Date.UTC(2026, 0, 1));
  expect(id).toMatch(V7);
  expect(Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(Date.UTC(2026, 0, 1));
});

it('keeps ids made in the same millisecond in order', () => {
  const now = Date.now() + 60_000;
  const ids = Array.from({ length: 5000 }, () => uuidv7(now));
  expect([...ids].sort()).toEqual(ids);
  expect(new Set(ids).size).toBe(ids.length);
});

it('works without crypto.randomUUID (plain-http pages)', () => {
  const original = crypto.randomUUID;
  Object.defineProperty(crypto, 'randomUUID', { value: undefined, configurable: true });
  try {
    expect(uuidv7()).toMatch(V7);
  } finally {
    Object.defineProperty(crypto, 'randomUUID', { value: original, configurable: true });
  }
});

it('makes a 32-byte hex secret', () => {
  const s = secret();
  expect(s).toMatch(/^[0-9a-f]{64}$/);
  expect(secret()).not.toBe(s);
});

it('draws random bits for hundreds of ids at once (one getRandomValues call costs more than the rest of an id)', () => {
  const draw = vi.spyOn(crypto, 'getRandomValues');
  const ids = Array.from({ length: 200 }, () => uuidv7());
  expect(draw.mock.calls.length).toBeLessThanOrEqual(1);
  draw.mockRestore();
  expect(new Set(ids.map((id) => id.slice(19))).size).toBe(ids.length); // the random part differs
  for (const id of ids) expect(id).toMatch(V7);
});
