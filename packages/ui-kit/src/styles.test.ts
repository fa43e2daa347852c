import { afterEach, expect, it, vi } from 'vitest';
import { adoptStyles } from './styles.js';

afterEach(() => vi.unstubAllGlobals());

const root = () => document.createElement('div').attachShadow({ mode: 'open' });

it('adopts a constructable stylesheet: no <style> element, nothing a strict CSP must allow', () => {
  const r = root();
  adoptStyles(r, 'p{color:red}', 'n0nce');
  expect(r.adoptedStyleSheets).toHaveLength(1);
  expect(r.querySelector('style')).toBeNull();
});

it('falls back to a <style> with the page nonce where constructable stylesheets are missing', () => {
  vi.stubGlobal('CSSStyleSheet', undefined);
  const r = root();
  adoptStyles(r, 'p{color:red}', 'n0nce');
  const style = r.querySelector('style')!;
  expect(style.textContent).toBe('p{color:red}');
  expect(style.getAttribute('nonce')).toBe('n0nce');
});
