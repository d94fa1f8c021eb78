import { waitFor } from '@rnh/test-utils';
import { describe, expect, it } from 'vitest';
import { CacheUnavailableError } from '../src/index.js';
import { metricValue, useRedisServer } from './helpers.js';

const redis = useRedisServer();

describe('fail open when Redis is down', () => {
  it('Redis stopped: getOrSet returns the loader value without throwing; after a restart caching works again', async () => {
    const { cache, registry, log } = redis.newCache({
      operationTimeoutMs: 200,
      breakerThreshold: 3,
      breakerCooldownMs: 300,
    });
    expect(await cache.getOrSet('k', () => 'before', { ttlSeconds: 60 })).toBe('before');

    await redis.server.stop();
    let calls = 0;
    const started = Date.now();
    for (let i = 0; i < 10; i += 1) {
      expect(await cache.getOrSet('k', () => `down-${++calls}`, { ttlSeconds: 60 })).toBe(`down-${calls}`);
    }
    expect(calls).toBe(10);
    // The breaker opened after 3 failures: 10 calls took nowhere near 10 timeouts (generous bound).
    expect(Date.now() - started).toBeLessThan(10 * 200);
    expect(await cache.get('k')).toBeUndefined();
    expect(await cache.set('k', 'x', { ttlSeconds: 60 })).toBe(false);
    await expect(cache.delete('k')).rejects.toBeInstanceOf(CacheUnavailableError);
    await expect(cache.invalidateTag('t')).rejects.toBeInstanceOf(CacheUnavailableError);
    await expect(cache.increment('n', 1, 60)).rejects.toBeInstanceOf(CacheUnavailableError);
    expect(
      await metricValue(registry, 'cache_lookups_total', { layer: 'l2', result: 'error' }),
    ).toBeGreaterThan(0);
    expect(
      await metricValue(registry, 'cache_errors_total', { cache: 'default', operation: 'get' }),
    ).toBeGreaterThan(0);
    expect(log.text()).toContain('cache Redis operation failed');

    await redis.server.restart();
    await waitFor(
      async () => {
        await cache.set('k', 'after', { ttlSeconds: 60 });
        return (await cache.get('k')) === 'after';
      },
      { timeoutMs: 10_000, what: 'caching after the restart' },
    );
    let loads = 0;
    expect(await cache.getOrSet('fresh', () => ++loads, { ttlSeconds: 60 })).toBe(1);
    expect(await cache.getOrSet('fresh', () => ++loads, { ttlSeconds: 60 })).toBe(1);
    expect(loads).toBe(1);
  });
});
