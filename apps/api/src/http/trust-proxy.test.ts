import { parseEnv } from '@rnh/config';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { trustProxySetting } from './trust-proxy.js';

const schema = z.object({ API_TRUST_PROXY: trustProxySetting('API_TRUST_PROXY') });
const parse = (value: string | undefined) => parseEnv(schema, { API_TRUST_PROXY: value }).API_TRUST_PROXY;

describe('API_TRUST_PROXY', () => {
  it('is off by default, and for false or 0', () => {
    for (const value of [undefined, '', 'false', '0']) expect(parse(value)).toBe(false);
  });

  it('takes true, a hop count, or a list of addresses, subnets and named subnets', () => {
    expect(parse('true')).toBe(true);
    expect(parse('2')).toBe(2);
    expect(parse('10.0.0.1')).toEqual(['10.0.0.1']);
    expect(parse('loopback, 10.0.0.0/8,fd00::/8, 192.168.0.0/255.255.0.0, uniquelocal')).toEqual([
      'loopback',
      '10.0.0.0/8',
      'fd00::/8',
      '192.168.0.0/255.255.0.0',
      'uniquelocal',
    ]);
  });

  it.each(['yes', '10.0.0.0/33', '10.0.0.0/255.0.255.0', 'proxy.internal', '10.0.0.1,', '-1'])(
    'refuses %s, naming the variable and the bad entry',
    (value) => {
      expect(() => parse(value)).toThrow(
        /API_TRUST_PROXY must be false, true, a hop count, or a comma-separated list/,
      );
    },
  );
});
