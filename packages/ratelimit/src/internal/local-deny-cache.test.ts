import { describe, expect, it } from 'vitest';
import type { Decision } from '../types.js';
import { LocalDenyCache } from './local-deny-cache.js';

function denial(retryAfterMs: number, cost = 1): Decision {
  return {
    allowed: false,
    reason: 'limited',
    limiter: 'l',
    cost,
    limit: 5,
    remaining: 0,
    resetMs: retryAfterMs,
    retryAfterMs,
    policy: 'l',
    policies: [
      {
        name: 'l',
        algorithm: 'fixed-window',
        limit: 5,
        windowMs: 1000,
        allowed: false,
        remaining: 0,
        resetMs: retryAfterMs,
        retryAfterMs,
      },
    ],
    consumed: false,
    at: 1,
  };
}

describe('LocalDenyCache', () => {
  it('blocks until the retry-after, counting it down, then forgets', () => {
    let now = 1000;
    const cache = new LocalDenyCache(
      10,
      () => undefined,
      () => now,
    );
    cache.add('a', denial(500));
    now += 200;
    expect(cache.check('a', 1)).toMatchObject({ reason: 'local_block', retryAfterMs: 300, consumed: false });
    expect(cache.check('a', 1)!.policies[0]).toMatchObject({ retryAfterMs: 300, resetMs: 300 });
    now += 300;
    expect(cache.check('a', 1)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('is bounded: the oldest entries go, and the size hook sees every change', () => {
    let size = 0;
    const cache = new LocalDenyCache(
      3,
      (delta) => (size += delta),
      () => 0,
    );
    for (const id of ['a', 'b', 'c', 'd', 'e']) cache.add(id, denial(1000));
    expect(cache.size).toBe(3);
    expect(size).toBe(3);
    expect(cache.check('a', 1)).toBeUndefined();
    expect(cache.check('e', 1)).toBeDefined();
    cache.delete('e');
    cache.clear();
    expect(size).toBe(0);
  });

  it('does not block a cheaper request than the one denied, nor keep unbounded denials', () => {
    const cache = new LocalDenyCache(
      3,
      () => undefined,
      () => 0,
    );
    cache.add('a', denial(1000, 5));
    expect(cache.check('a', 1)).toBeUndefined();
    expect(cache.check('a', 5)).toBeDefined();
    cache.add('b', denial(Number.POSITIVE_INFINITY));
    expect(cache.check('b', 1)).toBeUndefined();
  });
});
