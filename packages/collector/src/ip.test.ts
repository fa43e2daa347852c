import { expect, it } from 'vitest';
import { addressBucket, truncateIp } from './ip.js';

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

it('buckets IPv6 addresses by /64 and IPv4 addresses whole', () => {
  expect(addressBucket('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
  expect(addressBucket('2001:0db8:0001:0002:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
  expect(addressBucket('2001:db8:1:3::1')).toBe('2001:db8:1:3::/64');
  expect(addressBucket('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
  expect(addressBucket('::ffff:198.51.100.23')).toBe('198.51.100.23');
  expect(addressBucket('198.51.100.24')).toBe('198.51.100.24');
});
