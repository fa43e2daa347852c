import { expect, it } from 'vitest';
import { truncateIp } from './ip.js';

it('truncates IPv4 to /24, including IPv4-mapped IPv6', () => {
  expect(truncateIp('198.51.100.23')).toBe('198.51.100.0');
  expect(truncateIp('::ffff:198.51.100.23')).toBe('198.51.100.0');
});

it('truncates IPv6 to /48', () => {
  expect(truncateIp('2001:db8:85a3:8d3:1319:8a2e:370:7348')).toBe('2001:db8:85a3::');
  expect(truncateIp('2001:db8::1')).toBe('2001:db8:0::');
  expect(truncateIp('::1')).toBe('0:0:0::');
});

it('returns nothing for what is not an IP', () => {
  expect(truncateIp('not-an-ip')).toBeUndefined();
  expect(truncateIp(undefined)).toBeUndefined();
});
