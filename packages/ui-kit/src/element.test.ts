import { expect, it, vi } from 'vitest';
import { h } from './element.js';

it('sets props as attributes, leaves out null, undefined and false, and writes true as an empty attribute', () => {
  const el = h('input', {
    type: 'checkbox',
    'aria-describedby': 'd',
    disabled: true,
    checked: false,
    title: undefined,
    id: null,
  });
  expect(el.getAttribute('type')).toBe('checkbox');
  expect(el.getAttribute('aria-describedby')).toBe('d');
  expect(el.getAttribute('disabled')).toBe('');
  expect(['checked', 'title', 'id'].filter((a) => el.hasAttribute(a))).toEqual([]);
});

it('turns on* props into listeners', () => {
  const onclick = vi.fn();
  h('button', { onclick }).click();
  expect(onclick).toHaveBeenCalledOnce();
});

it('appends children in order, skipping falsy ones, and never parses text as HTML', () => {
  const el = h('p', {}, 'a', false, null, undefined, h('b', {}, '<i>b</i>'), '');
  expect(el.childNodes).toHaveLength(2);
  expect(el.querySelector('i')).toBeNull();
  expect(el.textContent).toBe('a<i>b</i>');
});
