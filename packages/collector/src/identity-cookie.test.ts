import { expect, it } from 'vitest';
import { IdentityCookies } from './identity-cookie.js';

const KEY = 'server-key-'.padEnd(40, 'k');
const cookies = new IdentityCookies(KEY);
const NOW = Date.UTC(2026, 11, 3);

it('reads back the id it signed, for its site, until it expires', () => {
  const value = cookies.value('shop', 'anon/1;ö', 60, NOW);
  expect(cookies.idFrom(`a=b; tillit_aid=${value}`, 'tillit_aid', 'shop', NOW)).toBe('anon/1;ö');
  expect(cookies.idFrom(`tillit_aid=${value}`, 'tillit_aid', 'shop', NOW + 59_000)).toBe('anon/1;ö');
  expect(cookies.idFrom(`tillit_aid=${value}`, 'tillit_aid', 'shop', NOW + 60_000)).toBeNull();
  expect(cookies.idFrom(`tillit_aid=${value}`, 'tillit_aid', 'other-site', NOW)).toBeNull();
  expect(new IdentityCookies('another-key-'.padEnd(40, 'k')).idFrom(`tillit_aid=${value}`, 'tillit_aid', 'shop', NOW)).toBeNull();
});

it('refuses anything it did not sign, and skips the script-written cookie of the same name', () => {
  const value = cookies.value('shop', 'anon-1', 60, NOW);
  const [id, expires, mac] = value.split('.');
  for (const forged of [
    'anon-1',
    `${id}.${expires}`,
    `${id}.${Number(expires) + 1}.${mac}`,
    `${id}.${expires}.${mac}.x`,
    `${id}..${mac}`,
  ]) {
    expect(cookies.idFrom(`tillit_aid=${forged}`, 'tillit_aid', 'shop', NOW), forged).toBeNull();
  }
  // With cookieDomain, the page's own tillit_aid (the bare id, on the registrable domain) arrives too.
  expect(cookies.idFrom(`tillit_aid=${value}; tillit_aid=anon-2`, 'tillit_aid', 'shop', NOW)).toBe('anon-1');
  expect(cookies.idFrom(`tillit_aid=anon-2; tillit_aid=${value}`, 'tillit_aid', 'shop', NOW)).toBe('anon-1');
  expect(cookies.idFrom(undefined, 'tillit_aid', 'shop', NOW)).toBeNull();
  // Only the name the site's cookie has: one planted under the other name is not read.
  expect(cookies.idFrom(`tillit_aid=${value}`, '__Host-tillit_aid', 'shop', NOW)).toBeNull();
  expect(cookies.idFrom(`__Host-tillit_aid=${value}`, '__Host-tillit_aid', 'shop', NOW)).toBe('anon-1');
});
