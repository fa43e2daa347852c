import { expect, it } from 'vitest';
import { campaignOf, DEFAULT_URL_DENYLIST, sanitizeUrl } from './url.js';

const clean = (u: string) => sanitizeUrl(u, DEFAULT_URL_DENYLIST);

it('removes denylisted query parameters, whatever their case, and keeps the rest', () => {
  expect(clean('https://shop.test/p?id=7&Token=abc&utm_source=x&email=a')).toBe('https://shop.test/p?id=7&utm_source=x');
});

it('removes parameters whose value is an e-mail address, encoded or not', () => {
  expect(clean('https://shop.test/?ref=ann%40example.com&q=shoes')).toBe('https://shop.test/?q=shoes');
  expect(clean('https://shop.test/?ref=ann@example.com')).toBe('https://shop.test/');
});

it('removes e-mail addresses from the path', () => {
  expect(clean('https://shop.test/users/ann@example.com/orders')).toBe('https://shop.test/users//orders');
});

it('removes a fragment that carries parameters (OAuth implicit flow) and keeps routes and anchors', () => {
  expect(clean('https://shop.test/cb#access_token=xyz&x=1')).toBe('https://shop.test/cb');
  expect(clean('https://shop.test/#/route?code=1')).toBe('https://shop.test/');
  expect(clean('https://shop.test/#/products/7')).toBe('https://shop.test/#/products/7');
  expect(clean('https://shop.test/#section')).toBe('https://shop.test/#section');
});

it('uses the configured denylist instead of the default', () => {
  expect(sanitizeUrl('https://shop.test/?code=1&sku=2', ['sku'])).toBe('https://shop.test/?code=1');
});

it("cuts a URL to the wire format's 4096 characters", () => {
  expect(clean(`https://shop.test/search?q=${'x'.repeat(5000)}`)).toHaveLength(4096);
});

it('returns an empty string for what is not a URL', () => {
  expect(clean('')).toBe('');
  expect(clean('not a url')).toBe('');
});

it('reads utm parameters with Segment field names', () => {
  expect(campaignOf('https://shop.test/?utm_source=news&utm_campaign=spring&utm_medium=email&x=1')).toEqual({
    source: 'news',
    name: 'spring',
    medium: 'email',
  });
  expect(campaignOf('https://shop.test/?source=news')).toBeNull();
});

it('leaves a URL with nothing to remove as it was, and drops an emptied query', () => {
  expect(sanitizeUrl('https://shop.test/s?q=red%20shoes&page=2', DEFAULT_URL_DENYLIST)).toBe(
    'https://shop.test/s?q=red%20shoes&page=2',
  );
  expect(sanitizeUrl('https://shop.test/s?Token=1&EMAIL=x', DEFAULT_URL_DENYLIST)).toBe('https://shop.test/s');
  expect(sanitizeUrl('', DEFAULT_URL_DENYLIST)).toBe('');
});
