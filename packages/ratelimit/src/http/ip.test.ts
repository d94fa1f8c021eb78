import { describe, expect, it } from 'vitest';
import { clientAddressKey, expandIPv6 } from './ip.js';

describe('clientAddressKey', () => {
  it('keeps IPv4 addresses whole', () => {
    expect(clientAddressKey('203.0.113.9')).toBe('ip4:203.0.113.9');
  });

  it('unwraps IPv4-mapped IPv6, dotted or hex', () => {
    expect(clientAddressKey('::ffff:203.0.113.9')).toBe('ip4:203.0.113.9');
    expect(clientAddressKey('::FFFF:cb00:7109')).toBe('ip4:203.0.113.9');
    expect(clientAddressKey('0:0:0:0:0:ffff:203.0.113.9')).toBe('ip4:203.0.113.9');
  });

  it('groups IPv6 by /64: one subscriber block is one key, written any way', () => {
    const a = clientAddressKey('2001:db8:1:2::1');
    expect(a).toBe('ip6:2001:db8:1:2:0:0:0:0/64');
    expect(clientAddressKey('2001:0DB8:0001:0002:ffff:ffff:ffff:fffe')).toBe(a);
    expect(clientAddressKey('[2001:db8:1:2::99]')).toBe(a);
    expect(clientAddressKey('2001:db8:1:2::1%eth0')).toBe(a);
    expect(clientAddressKey('2001:db8:1:3::1')).not.toBe(a);
  });

  it('honours another prefix length', () => {
    expect(clientAddressKey('2001:db8:abcd:12ff::1', 48)).toBe('ip6:2001:db8:abcd:0:0:0:0:0/48');
    expect(clientAddressKey('2001:db8:abcd:12ff::1', 56)).toBe('ip6:2001:db8:abcd:1200:0:0:0:0/56');
    expect(clientAddressKey('2001:db8::1', 128)).toBe('ip6:2001:db8:0:0:0:0:0:1/128');
  });

  it('gives missing or malformed addresses one safe key instead of throwing', () => {
    for (const bad of [
      undefined,
      '',
      'not-an-ip',
      '999.1.1.1',
      '1:2:3',
      '::ffff:1.2.3',
      ' ',
      'a'.repeat(5000),
    ])
      expect(clientAddressKey(bad)).toBe('ip:unknown');
  });

  it('expands compressed addresses, with an embedded IPv4 tail', () => {
    expect(expandIPv6('::')).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(expandIPv6('64:ff9b::192.0.2.33')).toEqual([0x64, 0xff9b, 0, 0, 0, 0, 0xc000, 0x221]);
    expect(expandIPv6('1:2:3:4:5:6:7:8:9')).toBeUndefined();
  });
});
