import { expect, it } from 'vitest';
import { addOneMonth } from './dates.js';

const due = (iso: string) => addOneMonth(new Date(iso)).toISOString();

it('ends a month later on the same day', () => {
  expect(due('2026-03-15T09:30:00.000Z')).toBe('2026-04-15T09:30:00.000Z');
  expect(due('2026-12-31T23:00:00.000Z')).toBe('2027-01-31T23:00:00.000Z');
});

it('ends on the last day of the next month when that day does not exist', () => {
  expect(due('2026-01-31T12:00:00.000Z')).toBe('2026-02-28T12:00:00.000Z');
  expect(due('2028-01-31T12:00:00.000Z')).toBe('2028-02-29T12:00:00.000Z');
  expect(due('2028-01-30T12:00:00.000Z')).toBe('2028-02-29T12:00:00.000Z');
  expect(due('2026-03-31T00:00:00.000Z')).toBe('2026-04-30T00:00:00.000Z');
  expect(due('2026-08-31T00:00:00.000Z')).toBe('2026-09-30T00:00:00.000Z');
});
