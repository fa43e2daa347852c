import { expect, it } from 'vitest';
import { fieldTooDeep, jsonTextDepth } from './depth.js';

it('measures the nesting of JSON text without counting brackets inside strings', () => {
  expect(jsonTextDepth('1')).toBe(0);
  expect(jsonTextDepth('{}')).toBe(1);
  expect(jsonTextDepth('{"a":[{"b":"[[[{{"}],"c":[]}')).toBe(3);
  expect(jsonTextDepth('{"a":"\\"[[","b":[1]}')).toBe(2);
  expect(jsonTextDepth(`${'['.repeat(100_000)}${']'.repeat(100_000)}`)).toBe(100_000);
});

it('names the first field that nests deeper than the limit, counting the event as level 1', () => {
  expect(fieldTooDeep({ a: 1, b: { c: [1] } }, 3)).toBeNull();
  expect(fieldTooDeep({ a: 1, b: { c: [[1]] } }, 3)).toBe('b');
  let deep: unknown = 1;
  for (let i = 0; i < 100_000; i++) deep = [deep];
  expect(fieldTooDeep({ properties: {}, traits: deep }, 32)).toBe('traits');
});
