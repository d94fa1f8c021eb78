import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, count, fraction, parseEnv, rateRule } from '../src/index.js';

describe('rateRule', () => {
  const schema = z.object({ LIMIT: rateRule('LIMIT', '100/15m') });

  it('reads count/duration, with the default when unset and undefined for off', () => {
    expect(parseEnv(schema, {}).LIMIT).toEqual({ limit: 100, windowMs: 900_000 });
    expect(parseEnv(schema, { LIMIT: '5/s' }).LIMIT).toEqual({ limit: 5, windowMs: 1000 });
    expect(parseEnv(schema, { LIMIT: '60 / 1m' }).LIMIT).toEqual({ limit: 60, windowMs: 60_000 });
    expect(parseEnv(schema, { LIMIT: '1000/1d' }).LIMIT).toEqual({ limit: 1000, windowMs: 86_400_000 });
    expect(parseEnv(schema, { LIMIT: 'OFF' }).LIMIT).toBeUndefined();
  });

  it.each(['100', '100/15', '0/1m', '-1/1m', 'ten/1m', '5/1w', '5/0m'])(
    'refuses %s, naming the variable',
    (value) => {
      expect(() => parseEnv(schema, { LIMIT: value })).toThrow(ConfigError);
      expect(() => parseEnv(schema, { LIMIT: value })).toThrow(/LIMIT must look like 100\/15m/);
    },
  );
  it('refuses more than the limiters can count (1000 per millisecond of the window), naming the variable', () => {
    expect(parseEnv(schema, { LIMIT: '60000000/1m' }).LIMIT).toEqual({ limit: 60_000_000, windowMs: 60_000 });
    expect(() => parseEnv(schema, { LIMIT: '60000001/1m' })).toThrow(
      /LIMIT allows at most 1000 per millisecond of its window \(60000000 for 60000001\/1m\)/,
    );
  });
});

describe('count and fraction', () => {
  const schema = z.object({ N: count('N', 10), F: fraction('F', 0.1) });

  it('accept 0 and the bounds, refuse the rest', () => {
    expect(parseEnv(schema, { N: '0', F: '1' })).toEqual({ N: 0, F: 1 });
    expect(() => parseEnv(schema, { N: '-1' })).toThrow(/N must be a whole number, 0 or more/);
    expect(() => parseEnv(schema, { F: '1.5' })).toThrow(/F must be a number from 0 to 1/);
  });
});
