// invalidateTags after a write: an invalidation Redis did not take must not be lost, or the stale
// entry outlives the outage by its whole TTL. Redis is frozen (SIGSTOP, data kept) so that what
// lands after it is back is the retry's doing. A read that times out opens the breaker
// (failureThreshold 1), so the invalidation is not even sent while Redis is frozen: without the
// retry it would never happen. Freezing needs the one standalone redis-server: on Cluster and
// Sentinel runs those tests are skipped.
import { itOnStandalone, waitFor } from '@rnh/test-utils';
import { describe, expect, it } from 'vitest';
import { CacheArgumentError, type CacheOptions } from '../src/index.js';
import { metricValue, useTestRedis } from './helpers.js';

const redis = useTestRedis();

/** Long enough that the breaker is still open when the invalidation runs, right after the read that opened it. */
const FAILING: CacheOptions = { operationTimeoutMs: 300, breaker: { failureThreshold: 1, cooldownMs: 3000 } };

/** Freezes Redis, opens the breaker with a read that times out, runs `work`, and lets Redis run again. */
async function whileRedisIsFrozen(read: () => Promise<unknown>, work: () => Promise<void>): Promise<void> {
  redis.server.freeze();
  try {
    expect(await read()).toBeUndefined(); // timed out: a miss, and the breaker is open
    await work();
  } finally {
    redis.server.thaw();
  }
}

describe('invalidateTags', () => {
  it('invalidates at once when Redis answers', async () => {
    const { cache, registry, root } = redis.newCache();
    await cache.set('profile', 'old', { ttlSeconds: 60, tags: ['user:1'] });
    await cache.invalidateTags('user:1');
    expect(cache.pendingInvalidations).toBe(0);
    expect(await cache.get('profile')).toBeUndefined();
    expect(await redis.admin.exists(`${root}__tags:user:1`)).toBe(0);
    expect(await metricValue(registry, 'cache_invalidations_total', { cache: 'default', kind: 'tag' })).toBe(
      1,
    );
  });

  itOnStandalone(
    'keeps a failed invalidation and retries it until Redis is back; never throws at the writer',
    async () => {
      const { cache, registry, root, log } = redis.newCache({
        ...FAILING,
        invalidationRetry: { retryMs: 100 },
      });
      const users = cache.namespace('users');
      await users.set('profile:2', 'old', { ttlSeconds: 60, tags: ['user:2'] });

      await whileRedisIsFrozen(
        () => users.get('profile:2'),
        async () => {
          await expect(users.invalidateTags('user:2')).resolves.toBeUndefined();
          // One list for the cache and its namespaces; the gauge says which namespace asked.
          expect(cache.pendingInvalidations).toBe(1);
          expect(await metricValue(registry, 'cache_invalidations_pending', { cache: 'users' })).toBe(1);
          expect(log.text()).toContain('cache invalidation failed; retrying in the background');
        },
      );

      await waitFor(() => cache.pendingInvalidations === 0, {
        timeoutMs: 30_000,
        what: 'the retried invalidation',
      });
      expect(await redis.admin.exists(`${root}__tags:user:2`)).toBe(0);
      expect(await users.get('profile:2')).toBeUndefined();
      expect(await metricValue(registry, 'cache_invalidations_pending', { cache: 'users' })).toBe(0);
      expect(await metricValue(registry, 'cache_invalidations_total', { cache: 'users', kind: 'tag' })).toBe(
        1,
      );
      expect(log.text()).toContain('delayed cache invalidations done');
    },
  );

  itOnStandalone('close() makes one last attempt at what is still pending', async () => {
    // No retry is due for ten minutes: only close() can land it.
    const { cache, root } = redis.newCache({ ...FAILING, invalidationRetry: { retryMs: 600_000 } });
    await cache.set('profile', 'old', { ttlSeconds: 60, tags: ['user:3'] });

    await whileRedisIsFrozen(
      () => cache.get('profile'),
      () => cache.invalidateTags('user:3'),
    );
    expect(cache.pendingInvalidations).toBe(1);
    await waitFor(async () => await cache.set('probe', 1, { ttlSeconds: 60 }), {
      timeoutMs: 30_000,
      what: 'Redis answering through the breaker again',
    });

    await cache.close();
    expect(cache.pendingInvalidations).toBe(0);
    expect(await redis.admin.exists(`${root}__tags:user:3`)).toBe(0);
    expect(await redis.admin.exists(`${root}default:profile`)).toBe(1); // the entry is void, not deleted
  });

  itOnStandalone('keeps at most maxPending tags, dropping the oldest', async () => {
    const { cache, root, log } = redis.newCache({
      ...FAILING,
      invalidationRetry: { retryMs: 100, maxPending: 2 },
    });
    for (const tag of ['a', 'b', 'c']) await cache.set(`entry:${tag}`, tag, { ttlSeconds: 60, tags: [tag] });

    await whileRedisIsFrozen(
      () => cache.get('entry:a'),
      async () => {
        await cache.invalidateTags('a', 'b');
        await cache.invalidateTags('c');
      },
    );
    expect(cache.pendingInvalidations).toBe(2);
    expect(log.text()).toContain('cache invalidation retry list full; dropped the oldest tag');

    await waitFor(() => cache.pendingInvalidations === 0, {
      timeoutMs: 30_000,
      what: 'the retried invalidations',
    });
    expect(await redis.admin.exists(`${root}__tags:a`)).toBe(1);
    expect(await redis.admin.exists(`${root}__tags:b`, `${root}__tags:c`)).toBe(0);
    expect(await cache.get('entry:a')).toBe('a');
  });

  it('throws for a bad tag at once, and keeps nothing', async () => {
    const { cache } = redis.newCache();
    await expect(cache.invalidateTags('ok', '')).rejects.toBeInstanceOf(CacheArgumentError);
    expect(cache.pendingInvalidations).toBe(0);
  });
});
