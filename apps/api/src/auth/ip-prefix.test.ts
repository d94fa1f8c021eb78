import { describe, expect, it } from 'vitest';
import { ipPrefix } from './ip-prefix.js';

describe('ipPrefix', () => {
  it('keeps the /24 of an IPv4 address', () => {
    expect(ipPrefix('203.0.113.77')).toBe('203.0.113.0/24');
  });
  it('unwraps IPv4-mapped IPv6', () => {
    expect(ipPrefix('::ffff:198.51.100.9')).toBe('198.51.100.0/24');
  });
  it('keeps the /48 of an IPv6 address', () => {
    expect(ipPrefix('2001:db8:abcd:12::1')).toBe('2001:db8:abcd::/48');
    expect(ipPrefix('::1')).toBe('0:0:0::/48');
  });
  it('gives nothing for a missing or malformed address', () => {
    expect(ipPrefix(undefined)).toBeUndefined();
    expect(ipPrefix('not-an-ip')).toBeUndefined();
  });
});
