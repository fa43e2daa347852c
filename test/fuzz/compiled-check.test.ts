/**
 * The compiled event check (validateEvent) against the zod schema it is compiled from: the same
 * accept/reject and, when accepted, the same value, on valid events, broken ones and near misses.
 * `npm test` runs 20,000 cases; `TILLIT_FUZZ_RUNS=1000000 npx vitest run --project node
 * test/fuzz/compiled-check.test.ts` runs the million recorded in bench/REPORT.md §2.
 */
import { Event, validateEvent } from '@tillit/schema';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { breakEvent, clientEvent, nearMissEventJson, nearMissValue, params, sdkEvent } from './arbitraries.js';

const RUNS = Number(process.env.TILLIT_FUZZ_RUNS ?? 20_000);

/** JSON text with every object's keys sorted: equal values give equal text, whatever their key order. */
function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'undefined';
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const keys = Object.keys(value).filter((k) => (value as Record<string, unknown>)[k] !== undefined);
  return `{${keys
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
    .join(',')}}`;
}

/** Both validators on their own parse of the same JSON text (the compiled one changes its input in place). */
function sameAnswer(text: string): boolean {
  const byZod = Event.safeParse(JSON.parse(text));
  const compiled = validateEvent(JSON.parse(text));
  if (byZod.success !== (compiled !== null)) {
    throw new Error(`zod ${byZod.success ? 'accepts' : 'rejects'}, the compiled check does not: ${text.slice(0, 2000)}`);
  }
  if (byZod.success) expect(canonical(compiled)).toBe(canonical(byZod.data));
  return byZod.success;
}

const now = Date.UTC(2026, 10, 25);
const inputs = fc.oneof(
  { weight: 1, arbitrary: sdkEvent() },
  { weight: 3, arbitrary: clientEvent },
  { weight: 1, arbitrary: fc.tuple(sdkEvent(), breakEvent(now)).map(([event, [, breakIt]]) => breakIt(event)) },
  { weight: 6, arbitrary: nearMissEventJson.map((text) => JSON.parse(text)) },
  { weight: 1, arbitrary: nearMissValue },
);

describe('compiled event check', () => {
  it(
    'answers as Event.safeParse on valid events, broken events and near misses',
    () => {
      let accepted = 0;
      const started = performance.now();
      fc.assert(
        fc.property(inputs, (input) => {
          // Through JSON text, as a request body arrives: own `__proto__` keys stay own keys.
          const text = JSON.stringify(input);
          if (text !== undefined && sameAnswer(text)) accepted++;
        }),
        params(RUNS),
      );
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      console.info(`compiled check: ${RUNS} cases (seed ${params(RUNS).seed}), ${accepted} accepted, ${seconds} s`);
      // Both sides of the answer are exercised, not only rejections.
      expect(accepted).toBeGreaterThan(RUNS / 10);
      expect(accepted).toBeLessThan(RUNS * 0.9);
      // Bounded by the case count; ~2 ms a case on a loaded 2-core machine.
    },
    Math.max(180_000, RUNS * 5),
  );

  it('drops own __proto__ keys and fills purposes as zod does', () => {
    const text =
      '{"type":"page","messageId":"m","anonymousId":"a","timestamp":"2026-11-25T10:00:00.000Z","__proto__":{"x":1},' +
      '"properties":{"__proto__":1,"constructor":{"prototype":2}},"context":{"consent":{"categoryPreferences":{"__proto__":"no"}}}}';
    expect(sameAnswer(text)).toBe(true);
    const event = validateEvent(JSON.parse(text));
    expect(Object.hasOwn(event!, '__proto__')).toBe(false);
    expect(event!.context?.consent?.purposes).toEqual([]);
  });
});
