import { scanKeys, waitFor } from '@rnh/test-utils';
import { describe, expect, it } from 'vitest';
import type { CacheOptions } from '../src/index.js';
import { metricValue, sleep, TEST_LOCK, useTestRedis } from './helpers.js';

const redis = useTestRedis();

/**
 * `n` cache instances on one prefix, each with its own connections, as `n` processes would have;
 * with TEST_LOCK unless `options` say otherwise.
 */
function processes(n: number, options: CacheOptions = { lock: TEST_LOCK }) {
  const first = redis.newCache(options);
  return [first, ...Array.from({ length: n - 1 }, () => redis.newCache(options, { prefix: first.prefix }))];
}

/** Resolves once the first cache's load lock is in Redis (that process is loading, not just started). */
function lockTaken(prefix: string) {
  return waitFor(async () => (await scanKeys(redis.admin, `${prefix}*__lock*`)).length > 0, {
    timeoutMs: 5000,
    what: 'the load lock',
  });
}

describe('cross-process stampede protection (Redis lock)', () => {
  it('200 concurrent getOrSet calls over 4 processes on a cold key run the loader once', async () => {
    const procs = processes(4);
    let calls = 0;
    const loader = async () => {
      calls += 1;
      await sleep(100);
      return { value: 'loaded once', at: new Date(0) };
    };
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => procs[i % 4]!.cache.getOrSet('cold', loader, { ttlSeconds: 60 })),
    );
    expect(calls).toBe(1);
    expect(results.every((r) => r.value === 'loaded once' && r.at instanceof Date)).toBe(true);
    let waits = 0;
    for (const p of procs)
      waits += await metricValue(p.registry, 'cache_lock_waits_total', { cache: 'default' });
    expect(waits).toBe(3); // one waiter per other process; the rest coalesced in-process
  });

  it('when the lock holder fails, a waiter takes the lock and loads', async () => {
    const [a, b] = processes(2);
    const failing = a!.cache.getOrSet(
      'k',
      async () => {
        await sleep(100);
        throw new Error('holder failed');
      },
      { ttlSeconds: 60 },
    );
    // Attached at once: on a busy machine A may fail before lockTaken returns.
    const failed = expect(failing).rejects.toThrow('holder failed');
    await lockTaken(a!.prefix); // B must find A holding the lock, not merely started
    let calls = 0;
    const waiting = b!.cache.getOrSet('k', () => `b-${++calls}`, { ttlSeconds: 60 });
    await failed;
    expect(await waiting).toBe('b-1');
    expect(await metricValue(b!.registry, 'cache_lock_timeouts_total')).toBe(0);
  });

  it('a waiter gives up after waitMs, counts a timeout and loads itself', async () => {
    const [a, b] = processes(2, { lock: { waitMs: 150, ttlMs: 5000, pollMs: 20 } });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = a!.cache.getOrSet(
      'k',
      async () => {
        await gate;
        return 'slow';
      },
      { ttlSeconds: 60 },
    );
    await lockTaken(a!.prefix);
    expect(await b!.cache.getOrSet('k', () => 'impatient', { ttlSeconds: 60 })).toBe('impatient');
    expect(await metricValue(b!.registry, 'cache_lock_timeouts_total', { cache: 'default' })).toBe(1);
    release();
    expect(await slow).toBe('slow');
  });

  it('lock: false loads in every process', async () => {
    const procs = processes(2, { lock: false });
    let calls = 0;
    const loader = async () => {
      calls += 1;
      await sleep(50);
      return 1;
    };
    await Promise.all(procs.map((p) => p.cache.getOrSet('k', loader, { ttlSeconds: 60 })));
    expect(calls).toBe(2);
  });
});
