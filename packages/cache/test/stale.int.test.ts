import { commandCalls, waitFor } from '@rnh/test-utils';
import { describe, expect, it } from 'vitest';
import { metricValue, recordSpans, sleep, useTestRedis } from './helpers.js';

const redis = useTestRedis();
const spans = recordSpans();

/** The `rnh.cache.outcome` of each finished getOrSet span, oldest first. */
function outcomes(): unknown[] {
  return spans
    .getFinishedSpans()
    .filter((span) => span.name === 'cache.getOrSet')
    .map((span) => span.attributes['rnh.cache.outcome']);
}

/** A promise and the function that resolves it: a loader that finishes when the test says so. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

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

describe('soft timeout on a stale entry (softTimeoutMs)', () => {
  it('a refresh that answers within the soft timeout is returned instead of the stale value', async () => {
    // Generous timeout: the loader answers at once, so the bound is never reached.
    const { cache, registry } = redis.newCache({ graceSeconds: 60, softTimeoutMs: 5000 });
    await cache.set('k', 'old', { ttlSeconds: 0.2 });
    await sleep(300);
    spans.reset();
    let calls = 0;
    const loader = async () => {
      calls += 1;
      await sleep(10);
      return 'new';
    };
    expect(await cache.getOrSet('k', loader, { ttlSeconds: 60 })).toBe('new');
    expect(await cache.getOrSet('k', loader, { ttlSeconds: 60 })).toBe('new'); // stored: a hit
    expect(calls).toBe(1);
    expect(outcomes()).toEqual(['refreshed', 'hit']);
    // The stale entry was not served: its lookup counts as a miss.
    expect(await metricValue(registry, 'cache_lookups_total', { layer: 'l2', result: 'stale' })).toBe(0);
    expect(await metricValue(registry, 'cache_lookups_total', { layer: 'l2', result: 'miss' })).toBe(1);
  });

  it('a slow refresh: the stale value after the soft timeout, the load goes on and is cached', async () => {
    const { cache, registry } = redis.newCache({ graceSeconds: 60 });
    await cache.set('k', 'old', { ttlSeconds: 0.2 });
    await sleep(300);
    spans.reset();
    const slow = gate();
    let calls = 0;
    let finished = false;
    const loader = async () => {
      calls += 1;
      await slow.opened;
      finished = true;
      return 'new';
    };
    const started = performance.now();
    expect(await cache.getOrSet('k', loader, { ttlSeconds: 60, softTimeoutMs: 150 })).toBe('old');
    const waitedMs = performance.now() - started;
    expect(finished).toBe(false); // answered while the loader still runs
    expect(calls).toBe(1);
    // A caller meanwhile joins the running refresh instead of starting another.
    expect(await cache.getOrSet('k', loader, { ttlSeconds: 60, softTimeoutMs: 50 })).toBe('old');
    expect(calls).toBe(1);
    slow.open();
    await waitFor(async () => (await cache.get('k')) === 'new', {
      timeoutMs: 5000,
      what: 'late value cached',
    });
    expect(await cache.getOrSet('k', loader, { ttlSeconds: 60, softTimeoutMs: 150 })).toBe('new');
    expect(calls).toBe(1);
    expect(outcomes()).toEqual(['stale', 'stale', 'hit']);
    expect(await metricValue(registry, 'cache_lookups_total', { layer: 'l2', result: 'stale' })).toBe(2);
    // Reported, not asserted: the suite makes no wall-clock claims here.
    console.info(`soft timeout 150 ms: stale value answered after ${Math.round(waitedMs)} ms`);
  });

  it('a failing refresh ends the soft wait early with the stale value', async () => {
    const { cache, registry } = redis.newCache({ graceSeconds: 60 });
    await cache.set('k', 'old', { ttlSeconds: 0.2 });
    await sleep(300);
    const failing = async () => {
      await sleep(10);
      throw new Error('source down');
    };
    // A soft timeout far beyond the test timeout: only an early end lets this pass.
    expect(await cache.getOrSet('k', failing, { ttlSeconds: 60, softTimeoutMs: 600_000 })).toBe('old');
    expect(await metricValue(registry, 'cache_errors_total', { operation: 'refresh' })).toBe(1);
  });

  it('while another process holds the refresh lock, the soft wait picks up its fresh value', async () => {
    const a = redis.newCache({ graceSeconds: 60 });
    const b = redis.newCache({ graceSeconds: 60 }, { prefix: a.prefix });
    await a.cache.set('k', 'old', { ttlSeconds: 0.2 });
    await sleep(300);
    spans.reset();
    const slow = gate();
    // A serves stale at once (softTimeoutMs 0) and refreshes under the lock.
    expect(
      await a.cache.getOrSet(
        'k',
        async () => {
          await slow.opened;
          return 'from A';
        },
        { ttlSeconds: 60 },
      ),
    ).toBe('old');
    // Entry reads are GETs (MGETs when batched); nothing else reads now, so a second
    // read by B means it found the entry stale, the lock busy, and is polling.
    const reads = async () => {
      const calls = await commandCalls(redis);
      return (calls.get('get') ?? 0) + (calls.get('mget') ?? 0);
    };
    const before = await reads();
    let bCalls = 0;
    const inB = b.cache.getOrSet('k', () => `from B ${++bCalls}`, { ttlSeconds: 60, softTimeoutMs: 10_000 });
    await waitFor(async () => (await reads()) >= before + 2, {
      timeoutMs: 5000,
      intervalMs: 5,
      what: 'B polling for the fresh value',
    });
    slow.open();
    expect(await inB).toBe('from A');
    expect(bCalls).toBe(0);
    expect(outcomes()).toEqual(['stale', 'refreshed']);
  });

  it('rejects a negative softTimeoutMs', () => {
    const { cache } = redis.newCache();
    expect(() => cache.getOrSet('k', () => 1, { softTimeoutMs: -1 })).toThrow('softTimeoutMs must be >= 0');
    expect(() => redis.newCache({ softTimeoutMs: Number.NaN })).toThrow('softTimeoutMs must be >= 0');
  });
});
