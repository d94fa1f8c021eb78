import { describeOnStandalone, waitFor } from '@rnh/test-utils';
import { expect, it } from 'vitest';
import { CacheUnavailableError } from '../src/index.js';
import { metricValue, sleep, useTestRedis } from './helpers.js';

const redis = useTestRedis();

// Every test stops, kills or freezes the one standalone redis-server: on Cluster and Sentinel runs
// they are skipped (failover there is @rnh/redis-client's to test).

describeOnStandalone('fail open when Redis is down', () => {
  it('Redis stopped: getOrSet returns the loader value without throwing; after a restart caching works again', async () => {
    const { cache, registry, log } = redis.newCache({
      operationTimeoutMs: 200,
      breaker: { failureThreshold: 3, cooldownMs: 300 },
    });
    expect(await cache.getOrSet('k', () => 'before', { ttlSeconds: 60 })).toBe('before');

    await redis.server.stop();
    let calls = 0;
    for (let i = 0; i < 10; i += 1) {
      expect(await cache.getOrSet('k', () => `down-${++calls}`, { ttlSeconds: 60 })).toBe(`down-${calls}`);
    }
    expect(calls).toBe(10);
    // Every one of them is seen as a read served without Redis, from the loader.
    expect(await metricValue(registry, 'cache_fallback_reads_total', { source: 'loader' })).toBe(10);
    expect(await metricValue(registry, 'cache_fallback_reads_total', { source: 'l1' })).toBe(0);
    // The breaker opened after 3 failures: later calls skipped Redis instead of waiting for a timeout each.
    const tried = await metricValue(registry, 'cache_errors_total', { cache: 'default', operation: 'get' });
    expect(tried).toBeGreaterThanOrEqual(3);
    expect(tried).toBeLessThan(10);
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

describeOnStandalone('fail open with an L1', () => {
  it('Redis stopped: a stale L1 copy within its grace answers before the loader; both are counted as reads without Redis', async () => {
    // No invalidation bus: with one, L1 is emptied when its subscriber loses Redis (messages may be lost).
    const { cache, registry } = redis.newCache({
      l1: { maxEntries: 100, ttlSeconds: 60 },
      graceSeconds: 600,
      // Reads before the stop must reach Redis on a busy machine; each read after it waits this long.
      operationTimeoutMs: 3000,
    });
    expect(await cache.getOrSet('seen', () => 'kept in L1', { ttlSeconds: 1 })).toBe('kept in L1');
    await redis.server.stop();
    try {
      // Past its freshness the copy is not served from L1 first: Redis is tried, fails, then the copy answers.
      await sleep(1_100);
      expect(await cache.getOrSet('seen', () => 'not called', { ttlSeconds: 1 })).toBe('kept in L1');
      expect(await cache.getOrSet('cold', () => 'from the loader', { ttlSeconds: 60 })).toBe(
        'from the loader',
      );
    } finally {
      await redis.server.restart();
    }
    expect(await metricValue(registry, 'cache_fallback_reads_total', { source: 'l1' })).toBe(1);
    expect(await metricValue(registry, 'cache_fallback_reads_total', { source: 'loader' })).toBe(1);
  });
});

/** The redis-server's own pid (INFO server), to signal it directly as a crash or a hang would. */
async function serverPid(): Promise<number> {
  const info = await redis.admin.info('server');
  const pid = Number(/process_id:(\d+)/.exec(info)?.[1]);
  if (!Number.isInteger(pid) || pid <= 0) throw new Error('no process_id in INFO server');
  return pid;
}

describeOnStandalone('fail open when Redis dies abruptly', () => {
  it('redis-server killed with SIGKILL (mid-load too): getOrSet answers from the loader, nothing is thrown', async () => {
    const { cache, registry } = redis.newCache({
      operationTimeoutMs: 200,
      breaker: { failureThreshold: 3, cooldownMs: 300 },
    });
    expect(await cache.getOrSet('k', () => 'before', { ttlSeconds: 60 })).toBe('before');
    const pid = await serverPid();

    // A load in flight when the server dies: its value still reaches the caller.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let loading = false;
    const inFlight = cache.getOrSet(
      'mid',
      async () => {
        loading = true;
        await gate;
        return 'loaded while Redis died';
      },
      { ttlSeconds: 60, tags: ['t'] },
    );
    await waitFor(() => loading, { timeoutMs: 5000, intervalMs: 5, what: 'the loader running' });
    process.kill(pid, 'SIGKILL'); // no shutdown, no clean close: the process is just gone
    let restarted = false;
    try {
      await waitFor(
        () => {
          try {
            process.kill(pid, 0);
            return false;
          } catch {
            return true;
          }
        },
        { timeoutMs: 5000, intervalMs: 10, what: 'redis-server gone' },
      );
      release();
      await expect(inFlight).resolves.toBe('loaded while Redis died');

      let calls = 0;
      for (let i = 0; i < 5; i += 1) {
        await expect(cache.getOrSet('k', () => `down-${++calls}`, { ttlSeconds: 60 })).resolves.toBe(
          `down-${i + 1}`,
        );
        await expect(
          cache.getOrSet('cold', () => 'cold value', { ttlSeconds: 60, tags: ['t'] }),
        ).resolves.toBe('cold value');
      }
      expect(calls).toBe(5);
      expect(
        await metricValue(registry, 'cache_lookups_total', { layer: 'l2', result: 'error' }),
      ).toBeGreaterThan(0);

      await redis.server.restart();
      restarted = true;
      await waitFor(async () => (await cache.set('k', 'after', { ttlSeconds: 60 })) === true, {
        timeoutMs: 10_000,
        what: 'caching after the restart',
      });
      expect(await cache.getOrSet('k', () => 'not called', { ttlSeconds: 60 })).toBe('after');
    } finally {
      if (!restarted) await redis.server.restart(); // the next tests need a server
    }
  });

  it('redis-server frozen (SIGSTOP: connections open, no answers): getOrSet answers from the loader', async () => {
    const { cache } = redis.newCache({
      operationTimeoutMs: 200,
      breaker: { failureThreshold: 3, cooldownMs: 300 },
    });
    expect(await cache.getOrSet('k', () => 'before', { ttlSeconds: 60 })).toBe('before');
    const pid = await serverPid();
    process.kill(pid, 'SIGSTOP');
    try {
      let calls = 0;
      for (let i = 0; i < 5; i += 1) {
        await expect(cache.getOrSet('k', () => `hung-${++calls}`, { ttlSeconds: 60 })).resolves.toBe(
          `hung-${i + 1}`,
        );
      }
      expect(calls).toBe(5);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    await waitFor(async () => (await cache.set('k', 'after', { ttlSeconds: 60 })) === true, {
      timeoutMs: 10_000,
      what: 'caching after the server resumed',
    });
    expect(await cache.get('k')).toBe('after');
  });
});
