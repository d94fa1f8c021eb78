import { describe, expect, it } from 'vitest';
import { metricValue, sleep, useTestRedis } from './helpers.js';

const redis = useTestRedis();

describe('in-process stampede protection', () => {
  it('200 concurrent getOrSet calls on a cold key run the loader once', async () => {
    const { cache, registry } = redis.newCache();
    let calls = 0;
    const loader = async () => {
      calls += 1;
      await sleep(50);
      return { n: 42, at: new Date(0) };
    };
    const results = await Promise.all(
      Array.from({ length: 200 }, () => cache.getOrSet('cold', loader, { ttlSeconds: 60 })),
    );
    expect(calls).toBe(1);
    expect(results.every((value) => value.n === 42 && value.at instanceof Date)).toBe(true);
    expect(await metricValue(registry, 'cache_coalesced_total', { cache: 'default' })).toBe(199);
    // One L2 lookup for the whole burst, then hits.
    expect(await metricValue(registry, 'cache_lookups_total', { layer: 'l2', result: 'miss' })).toBe(1);
    await cache.getOrSet('cold', loader, { ttlSeconds: 60 });
    expect(calls).toBe(1);
    expect(await metricValue(registry, 'cache_lookups_total', { layer: 'l2', result: 'hit' })).toBe(1);
  });

  it('a failing loader rejects every coalesced caller with its own error, and the next call loads again', async () => {
    const { cache } = redis.newCache();
    let calls = 0;
    const failing = async () => {
      calls += 1;
      await sleep(20);
      throw new Error('source down');
    };
    const settled = await Promise.allSettled(
      Array.from({ length: 20 }, () => cache.getOrSet('k', failing, { ttlSeconds: 60 })),
    );
    expect(calls).toBe(1);
    expect(
      settled.every((s) => s.status === 'rejected' && (s.reason as Error).message === 'source down'),
    ).toBe(true);
    expect(await cache.getOrSet('k', () => 'ok', { ttlSeconds: 60 })).toBe('ok');
  });

  it('different keys and namespaces do not share loads', async () => {
    const { cache } = redis.newCache();
    let calls = 0;
    const loader = async () => {
      calls += 1;
      await sleep(10);
      return calls;
    };
    await Promise.all([
      cache.getOrSet('a', loader, { ttlSeconds: 60 }),
      cache.getOrSet('b', loader, { ttlSeconds: 60 }),
      cache.namespace('other').getOrSet('a', loader, { ttlSeconds: 60 }),
    ]);
    expect(calls).toBe(3);
  });
});
