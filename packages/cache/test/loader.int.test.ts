import { waitFor } from '@rnh/test-utils';
import { describe, expect, it } from 'vitest';
import { CacheLoaderTimeoutError } from '../src/index.js';
import { metricValue, sleep, useTestRedis } from './helpers.js';

const redis = useTestRedis();

describe('loader timeouts and negative caching', () => {
  it('a loader past its hard timeout rejects with CacheLoaderTimeoutError; its late value is still cached', async () => {
    const { cache, registry } = redis.newCache();
    const slow = async () => {
      await sleep(200);
      return 'late';
    };
    await expect(cache.getOrSet('k', slow, { ttlSeconds: 60, loaderTimeoutMs: 50 })).rejects.toBeInstanceOf(
      CacheLoaderTimeoutError,
    );
    expect(await metricValue(registry, 'cache_errors_total', { operation: 'loader_timeout' })).toBe(1);
    await waitFor(async () => (await cache.get('k')) === 'late', {
      timeoutMs: 10_000,
      what: 'late value cached',
    });
    // A fast loader is not affected.
    expect(await cache.getOrSet('fast', () => 1, { ttlSeconds: 60, loaderTimeoutMs: 50 })).toBe(1);
  });

  it('null and undefined answers are cached with the negative TTL', async () => {
    const { cache, root } = redis.newCache({ negativeTtlSeconds: 5 });
    let calls = 0;
    expect(await cache.getOrSet('missing', () => (calls++, null), { ttlSeconds: 3600 })).toBeNull();
    expect(await cache.getOrSet('missing', () => (calls++, null), { ttlSeconds: 3600 })).toBeNull();
    expect(calls).toBe(1);
    const pttl = await redis.admin.pttl(`${root}default:missing`);
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(5000);
    await cache.getOrSet('present', () => 'x', { ttlSeconds: 3600 });
    expect(await redis.admin.pttl(`${root}default:present`)).toBeGreaterThan(3_000_000);
  });

  it('early refresh: a hit late in its TTL is served and refreshed in the background', async () => {
    const { cache } = redis.newCache({ earlyRefresh: 0.5 });
    let version = 0;
    const loader = () => `v${++version}`;
    // A 2 s TTL: the second call lands in its first half and the third in its second half
    // with margins of about a second, for a busy machine.
    expect(await cache.getOrSet('k', loader, { ttlSeconds: 2 })).toBe('v1');
    expect(await cache.getOrSet('k', loader, { ttlSeconds: 2 })).toBe('v1'); // early: no refresh
    expect(version).toBe(1);
    await sleep(1100);
    expect(await cache.getOrSet('k', loader, { ttlSeconds: 2 })).toBe('v1');
    await waitFor(async () => (await cache.get('k')) === 'v2', { timeoutMs: 10_000, what: 'early refresh' });
    expect(version).toBe(2);
  });
});
