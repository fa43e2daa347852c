import { isIPv4, isIPv6 } from 'node:net';

/**
 * Truncates an IP address so it no longer points at one household: the last octet of IPv4
 * (/24) and everything after the first 48 bits of IPv6 (/48), as Google Analytics' IP
 * anonymisation and Matomo's default do. Returns undefined for anything that is not an IP.
 */
export function truncateIp(ip: string | undefined): string | undefined {
  if (!ip) return undefined;
  const mapped = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
  if (isIPv4(mapped)) return mapped.replace(/\.\d+$/, '.0');
  if (isIPv6(ip)) {
    const [head = '', tail = ''] = ip.split('::');
    const left = head ? head.split(':') : [];
    const right = tail ? tail.split(':') : [];
    const groups = ip.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
    return `${groups
      .slice(0, 3)
      .map((g) => g.replace(/^0+(?=.)/, ''))
      .join(':')}::`;
  }
  return undefined;
}
