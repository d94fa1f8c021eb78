import { describe, expect, it } from 'vitest';
import { CacheArgumentError, CacheSerializationError } from '../src/index.js';
import { metricValue, sleep, TEST_OPERATION_TIMEOUT_MS, useTestRedis } from './helpers.js';

const redis = useTestRedis();

describe('Cache basics on a real Redis', () => {
  it('miss, set, hit, delete; keys live under <prefix>cache:<namespace>:', async () => {
    const { cache, root } = redis.newCache();
    const users = cache.namespace('users');
    expect(await users.get('profile:42')).toBeUndefined();
    expect(await users.has('profile:42')).toBe(false);
    expect(await users.set('profile:42', { name: 'Ada' }, { ttlSeconds: 60 })).toBe(true);
    expect(await users.get('profile:42')).toEqual({ name: 'Ada' });
    expect(await users.has('profile:42')).toBe(true);
    expect(await redis.admin.exists(`${root}users:profile:42`)).toBe(1);
    // Another namespace does not see it.
    expect(await cache.namespace('orgs').get('profile:42')).toBeUndefined();
    expect(await users.delete('profile:42')).toBe(true);
    expect(await users.get('profile:42')).toBeUndefined();
    expect(await users.delete('profile:42')).toBe(false);
  });

  it('entries expire after their TTL; ttl() reports the remaining seconds', async () => {
    const { cache } = redis.newCache();
    await cache.set('short', 'v', { ttlSeconds: 0.3 });
    await cache.set('long', 'v', { ttl: 'short' });
    expect(await cache.get('short')).toBe('v');
    const ttl = await cache.ttl('long');
    expect(ttl).toBeGreaterThan(290);
    expect(ttl).toBeLessThanOrEqual(300);
    expect(await cache.ttl('absent')).toBeUndefined();
    await sleep(400);
    expect(await cache.get('short')).toBeUndefined();
  });

  it('round-trips Date, BigInt, nested structures, null and undefined fields', async () => {
    const { cache } = redis.newCache();
    const value = {
      at: new Date('2024-05-06T07:08:09.123Z'),
      big: 12345678901234567890n,
      list: [1, 'two', null, new Date(0), -5n],
      nested: { $t: 'user data with a reserved key', deep: { ok: true } },
      nothing: null,
    };
    await cache.set('v', value, { ttlSeconds: 60 });
    const back = await cache.get<typeof value>('v');
    expect(back).toEqual(value);
    expect(back!.at).toBeInstanceOf(Date);
    expect(typeof back!.big).toBe('bigint');
    expect(await cache.getOrSet('u', () => undefined, { ttlSeconds: 60 })).toBeUndefined();
  });

  it('refuses values that would not round-trip, and bad arguments', async () => {
    const { cache } = redis.newCache();
    await expect(cache.set('f', { fn: () => 1 }, { ttlSeconds: 60 })).rejects.toBeInstanceOf(
      CacheSerializationError,
    );
    await expect(cache.set('m', new Map(), { ttlSeconds: 60 })).rejects.toThrow(
      'cannot cache an instance of Map',
    );
    await expect(cache.set('x', 1, { ttlSeconds: -1 })).rejects.toBeInstanceOf(CacheArgumentError);
    expect(() => cache.namespace('bad{tag}')).toThrow(CacheArgumentError);
    expect(() => cache.namespace('__tags')).toThrow(CacheArgumentError);
    await expect(cache.get('')).rejects.toBeInstanceOf(CacheArgumentError);
  });

  it('a poisoned entry is deleted, counted, and reloaded (never thrown at the caller)', async () => {
    const { cache, registry, root, log } = redis.newCache();
    const key = `${root}default:poisoned`;
    for (const garbage of ['not json {', '{"v":99,"g":0,"d":1}', '{"v":1,"g":0,"d":{"$t":"zz"}}', '42']) {
      await redis.admin.set(key, garbage, 'EX', 60);
      expect(await cache.get('poisoned')).toBeUndefined();
      expect(await redis.admin.exists(key)).toBe(0);
      await redis.admin.set(key, garbage, 'EX', 60);
      let calls = 0;
      const value = await cache.getOrSet('poisoned', () => ++calls, { ttlSeconds: 60 });
      expect(value).toBe(1);
      expect(await cache.get('poisoned')).toBe(1);
      await cache.delete('poisoned');
    }
    expect(await metricValue(registry, 'cache_errors_total', { cache: 'default', operation: 'decode' })).toBe(
      8,
    );
    expect(log.text()).toContain('unreadable cache entry dropped');
    expect(log.text()).not.toContain('poisoned');
  });

  it('a schemaVersion bump drops entries written by the previous version', async () => {
    const first = redis.newCache();
    await first.cache.set('shape', { a: 1 }, { ttlSeconds: 60 });
    const { Cache } = await import('../src/index.js');
    const { Registry } = await import('prom-client');
    const next = new Cache(
      {
        redis: first.connections.shared('commands'),
        keys: first.connections.keys.child('cache'),
        logger: first.log.logger,
        registry: new Registry(),
      },
      { schemaVersion: 2, operationTimeoutMs: TEST_OPERATION_TIMEOUT_MS },
    );
    expect(await next.get('shape')).toBeUndefined();
    await next.set('shape', { b: 2 }, { ttlSeconds: 60 });
    expect(await next.get('shape')).toEqual({ b: 2 });
  });

  it('increment: the TTL is set when the counter is created and not pushed forward', async () => {
    const { cache, root } = redis.newCache();
    expect(await cache.increment('hits', 1, 2)).toBe(1);
    const key = `${root}default:hits`;
    const first = await redis.admin.pttl(key);
    expect(first).toBeGreaterThan(1000);
    await sleep(600);
    expect(await cache.increment('hits', 5, 2)).toBe(6);
    expect(await cache.increment('hits', 1, 100)).toBe(7);
    const later = await redis.admin.pttl(key);
    expect(later).toBeLessThanOrEqual(first - 500);
    expect(await cache.ttl('hits')).toBeLessThanOrEqual(2);
    await sleep(later + 100);
    expect(await cache.increment('hits', 1, 2)).toBe(1);
    await expect(cache.increment('hits', 1.5, 2)).rejects.toBeInstanceOf(CacheArgumentError);
  });

  it('jitter shortens TTLs within the fraction asked for', async () => {
    const { cache, root } = redis.newCache({ jitter: 0.5 });
    const ttls: number[] = [];
    for (let i = 0; i < 20; i += 1) {
      await cache.set(`j${i}`, i, { ttlSeconds: 100 });
      ttls.push(await redis.admin.pttl(`${root}default:j${i}`));
    }
    expect(Math.max(...ttls)).toBeLessThanOrEqual(100_000);
    expect(Math.min(...ttls)).toBeGreaterThanOrEqual(49_000);
    expect(new Set(ttls.map((ms) => Math.round(ms / 1000))).size).toBeGreaterThan(1);
  });

  it('clear() removes the namespace with SCAN + UNLINK and leaves other namespaces alone', async () => {
    const { cache, registry } = redis.newCache();
    const users = cache.namespace('users');
    const orgs = cache.namespace('orgs');
    for (let i = 0; i < 1200; i += 1) await users.set(`u${i}`, i, { ttlSeconds: 60 });
    await orgs.set('o1', 1, { ttlSeconds: 60 });
    expect(await users.clear()).toBe(1200);
    expect(await users.get('u1')).toBeUndefined();
    expect(await orgs.get('o1')).toBe(1);
    expect(
      await metricValue(registry, 'cache_invalidations_total', { cache: 'users', kind: 'namespace' }),
    ).toBe(1);
  });
});
