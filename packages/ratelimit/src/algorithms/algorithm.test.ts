import { describe, expect, it } from 'vitest';
import { RateLimitArgumentError } from '../errors.js';
import { namePolicies } from '../internal/policies.js';
import { checkedPolicy } from './algorithm.js';
import { fixedWindow } from './fixed-window.js';
import { gcra } from './gcra.js';
import { buildScript } from './script.js';
import { slidingWindow } from './sliding-window.js';
import { tokenBucket } from './token-bucket.js';

describe('policies', () => {
  it('factories validate and default burst to limit for the bucket algorithms', () => {
    expect(gcra({ limit: 10, windowMs: 1000 })).toMatchObject({ algorithm: 'gcra', burst: 10 });
    expect(tokenBucket({ limit: 10, windowMs: 1000, burst: 3 })).toMatchObject({ burst: 3 });
    expect(fixedWindow({ limit: 10, windowMs: 1000 })).not.toHaveProperty('burst');
    for (const bad of [
      () => fixedWindow({ limit: 0, windowMs: 1000 }),
      () => slidingWindow({ limit: 1.5, windowMs: 1000 }),
      () => fixedWindow({ limit: 1, windowMs: -1 }),
      () => gcra({ limit: 10, windowMs: 1000, burst: 0 }),
      () => gcra({ limit: 5000, windowMs: 1 }),
      () => fixedWindow({ limit: 1, windowMs: 1000, name: 'a{b}' }),
      () => slidingWindow({ limit: 2 ** 40, windowMs: 2 ** 20 }),
      () => checkedPolicy({ algorithm: 'gcra', limit: 1, windowMs: 1, burst: 2 ** 50 }),
    ])
      expect(bad).toThrow(RateLimitArgumentError);
  });

  it('names: one policy takes the limiter name; several need unique names', () => {
    expect(namePolicies('api', fixedWindow({ limit: 1, windowMs: 1000 }))[0]!.name).toBe('api');
    expect(() =>
      namePolicies('api', [fixedWindow({ limit: 1, windowMs: 1000 }), gcra({ limit: 1, windowMs: 1000 })]),
    ).toThrow(/needs a name/);
    expect(() =>
      namePolicies('api', [
        fixedWindow({ limit: 1, windowMs: 1000, name: 'a' }),
        gcra({ limit: 1, windowMs: 1000, name: 'a' }),
      ]),
    ).toThrow(/unique/);
    expect(() => namePolicies('a:b', fixedWindow({ limit: 1, windowMs: 1000 }))).toThrow(
      RateLimitArgumentError,
    );
    expect(() => namePolicies('api', [])).toThrow(RateLimitArgumentError);
  });

  it('builds one script per algorithm set and key count, reading Redis TIME', () => {
    const single = buildScript([slidingWindow({ limit: 1, windowMs: 1000 })]);
    expect(single.name).toBe('rnh-ratelimit:sw:k1');
    expect(single.keys).toBe(1);
    expect(single.lua).toContain("redis.call('TIME')");
    expect(single.lua).toContain('ALG.sw');
    expect(single.lua).not.toContain('ALG.gc');
    const mixed = buildScript([
      gcra({ limit: 1, windowMs: 1000 }),
      fixedWindow({ limit: 1, windowMs: 1000 }),
    ]);
    expect(mixed.name).toBe('rnh-ratelimit:fw+gc:k2');
  });
});
