import { waitFor } from '@rnh/test-utils';
import { describe, expect, it } from 'vitest';
import { metricValue, sleep, useRedisServer } from './helpers.js';

const redis = useRedisServer();

describe('stale serving within the grace period', () => {
  it('serves the stale value when the loader throws, and counts the failed refresh', async () => {
    const { cache, registry, root } = redis.newCache({ graceSeconds: 60 });
    expect(await cache.getOrSet('k', () => 'v1', { ttlSeconds: 0.3 })).toBe('v1');
    // The entry is kept past its TTL for the grace period.
    expect(await redis.admin.pttl(`${root}default:k`)).toBeGreaterThan(59_000);
    await sleep(400);
    expect(await cache.get('k')).toBeUndefined(); // get() answers fresh values only
    expect(await cache.ttl('k')).toBe(0);
    let calls = 0;
    const failing = () => {
      calls += 1;
      throw new Error('source down');
    };
    expect(await cache.getOrSet('k', failing, { ttlSeconds: 0.3 })).toBe('v1');
    await waitFor(
      async () => (await metricValue(registry, 'cache_errors_total', { operation: 'refresh' })) === 1,
      {
        timeoutMs: 5000,
        what: 'failed refresh counted',
      },
    );
    expect(calls).toBe(1);
    expect(await metricValue(registry, 'cache_lookups_total', { layer: 'l2', result: 'stale' })).toBe(1);
  });

  it('refreshes a stale entry in the background: the caller gets stale now, fresh next time', async () => {
    const { cache } = redis.newCache({ graceSeconds: 60 });
    await cache.set('k', 'old', { ttlSeconds: 0.2 });
    await sleep(300);
    let calls = 0;
    const loader = async () => {
      calls += 1;
      await sleep(30);
      return 'new';
    };
    const answers = await Promise.all([
      cache.getOrSet('k', loader, { ttlSeconds: 60 }),
      cache.getOrSet('k', loader, { ttlSeconds: 60 }),
    ]);
    expect(answers).toEqual(['old', 'old']);
    await waitFor(async () => (await cache.get('k')) === 'new', { timeoutMs: 5000, what: 'refreshed value' });
    expect(calls).toBe(1);
    expect(await cache.getOrSet('k', loader, { ttlSeconds: 60 })).toBe('new');
  });

  it('without a grace period an expired entry is simply gone', async () => {
    const { cache, root } = redis.newCache();
    await cache.set('k', 'v', { ttlSeconds: 0.2 });
    await sleep(300);
    expect(await redis.admin.exists(`${root}default:k`)).toBe(0);
    await expect(
      cache.getOrSet(
        'k',
        () => {
          throw new Error('source down');
        },
        { ttlSeconds: 60 },
      ),
    ).rejects.toThrow('source down');
  });
});
