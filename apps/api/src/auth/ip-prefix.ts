// Device lists show where a session came from without storing the full address:
// IPv4 is cut to its /24, IPv6 to its /48 (IPv4-mapped IPv6 is unwrapped first).
import { isIPv4, isIPv6 } from 'node:net';

export function ipPrefix(address: string | undefined): string | undefined {
  if (!address) return undefined;
  const unwrapped = address.startsWith('::ffff:') && isIPv4(address.slice(7)) ? address.slice(7) : address;
  if (isIPv4(unwrapped)) return `${unwrapped.split('.').slice(0, 3).join('.')}.0/24`;
  if (isIPv6(unwrapped)) return `${expandIPv6(unwrapped).slice(0, 3).join(':')}::/48`;
  return undefined;
}

function expandIPv6(address: string): string[] {
  const [head = '', tail = ''] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const missing = address.includes('::') ? 8 - left.length - right.length : 0;
  return [...left, ...Array<string>(missing).fill('0'), ...right].map((group) =>
    group.replace(/^0+(?=.)/, '').toLowerCase(),
  );
}
