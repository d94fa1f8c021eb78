import { isIPv4, isIPv6 } from 'node:net';

/**
 * A rate-limit identifier for a client address: `ip4:<address>`, or for IPv6
 * `ip6:<first prefixBits bits>/<prefixBits>` (default /64, the block one subscriber
 * usually gets, so rotating addresses inside it does not escape the limit).
 * IPv4-mapped IPv6 (`::ffff:1.2.3.4`) is unwrapped to IPv4. A missing or malformed
 * address gets the shared key `ip:unknown`, never an exception.
 */
export function clientAddressKey(address: string | undefined, prefixBits = 64): string {
  if (!address) return 'ip:unknown';
  // What req.ip almost always is: a plain IPv4 address, nothing to strip.
  if (isIPv4(address)) return `ip4:${address}`;
  const bare = address
    .trim()
    .replace(/^\[|\]$/g, '')
    .replace(/%.*$/, '');
  if (isIPv4(bare)) return `ip4:${bare}`;
  if (!isIPv6(bare)) return 'ip:unknown';
  const groups = expandIPv6(bare);
  if (!groups) return 'ip:unknown';
  if (groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff) {
    const [high, low] = [groups[6]!, groups[7]!];
    return `ip4:${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
  }
  const bits = Math.max(0, Math.min(128, Math.trunc(prefixBits)));
  const masked = groups.map((group, index) => {
    const keep = Math.max(0, Math.min(16, bits - index * 16));
    return keep === 0 ? 0 : group & ((0xffff << (16 - keep)) & 0xffff);
  });
  return `ip6:${masked.map((group) => group.toString(16)).join(':')}/${bits}`;
}

/** The eight 16-bit groups of a valid IPv6 address (a dotted IPv4 tail becomes two groups). */
export function expandIPv6(address: string): number[] | undefined {
  let text = address.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const octets = dotted[1]!.split('.').map(Number);
    text =
      text.slice(0, -dotted[1]!.length) +
      `${((octets[0]! << 8) | octets[1]!).toString(16)}:${((octets[2]! << 8) | octets[3]!).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const missing = tail === undefined ? 0 : 8 - left.length - right.length;
  const all = [...left, ...Array<string>(missing).fill('0'), ...right];
  if (all.length !== 8) return undefined;
  const groups = all.map((group) => Number.parseInt(group, 16));
  return groups.every((group) => Number.isInteger(group) && group >= 0 && group <= 0xffff)
    ? groups
    : undefined;
}
