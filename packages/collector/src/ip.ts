import { isIPv4, isIPv6 } from 'node:net';

/** The eight groups of an IPv6 address, `::` expanded, leading zeros dropped. */
function ipv6Groups(ip: string): string[] {
  const [head = '', tail = ''] = ip.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return groups.map((g) => g.replace(/^0+(?=.)/, '').toLowerCase());
}

/**
 * Truncates an IP address so it no longer points at one household: the last octet of IPv4
 * (/24) and everything after the first 48 bits of IPv6 (/48), as Google Analytics' IP
 * anonymisation and Matomo's default do. Returns undefined for anything that is not an IP.
 */
export function truncateIp(ip: string | undefined): string | undefined {
  if (!ip) return undefined;
  const mapped = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
  if (isIPv4(mapped)) return mapped.replace(/\.\d+$/, '.0');
  if (isIPv6(ip)) return `${ipv6Groups(ip).slice(0, 3).join(':')}::`;
  return undefined;
}

/**
 * The bucket a rate limit counts an address in: IPv4 as it is, IPv6 by its /64, because one subscriber
 * gets at least a /64 and can rotate through all of it at will.
 */
export function addressBucket(ip: string): string {
  const mapped = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
  if (isIPv4(mapped)) return mapped;
  const bare = ip.split('%')[0]!;
  return isIPv6(bare) ? `${ipv6Groups(bare).slice(0, 4).join(':')}::/64` : ip;
}
