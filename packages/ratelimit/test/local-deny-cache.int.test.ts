import { describe, expect, it } from 'vitest';
import { fixedWindow, gcra } from '../src/index.js';
import { commandCalls, metricValue, sleep, useTestRedis } from './helpers.js';

const redis = useTestRedis();

describe('local deny cache', () => {
  it('after a key is limited, further calls until its retry-after do not reach Redis', async () => {
    const { limiter, registry } = redis.newLimiter({
      name: 'flood',
      policies: fixedWindow({ limit: 3, windowMs: 2000 }),
    });
    for (let i = 0; i < 3; i += 1) await limiter.limit('attacker');
    const denied = await limiter.limit('attacker');
    expect(denied.reason).toBe('limited');

    const before = await commandCalls(redis, 'evalsha');
    const flood = await Promise.all(Array.from({ length: 1000 }, () => limiter.limit('attacker')));
    expect(await commandCalls(redis, 'evalsha')).toBe(before);
    expect(flood.every((d) => d.reason === 'local_block' && !d.allowed)).toBe(true);
    expect(flood[999]!.retryAfterMs).toBeGreaterThan(0);
    expect(flood[999]!.retryAfterMs).toBeLessThanOrEqual(denied.retryAfterMs);
    expect(flood[999]!.policies[0]).toMatchObject({ name: 'flood', remaining: 0, allowed: false });
    expect(
      await metricValue(registry, 'ratelimit_decisions_total', { outcome: 'denied', reason: 'local_block' }),
    ).toBe(1000);
    // Local blocks are not Redis decisions: the latency histogram saw only the 4 real ones.
    expect(await metricValue(registry, 'ratelimit_decision_duration_seconds', { policy: 'flood' })).toBe(4);
    // Other keys still go to Redis.
    expect((await limiter.limit('someone-else')).reason).toBe('allowed');

    // After the retry-after, Redis decides again.
    await sleep(denied.retryAfterMs + 30);
    expect((await limiter.limit('attacker')).reason).toBe('allowed');
    expect(await commandCalls(redis, 'evalsha')).toBeGreaterThan(before);
  });

  it('is bounded, and its size is a gauge', async () => {
    const { limiter, registry } = redis.newLimiter({
      name: 'bounded',
      policies: gcra({ limit: 1, windowMs: 60_000 }),
      localDenyCache: { maxEntries: 5 },
    });
    for (let i = 0; i < 20; i += 1) {
      await limiter.limit(`key-${i}`);
      expect((await limiter.limit(`key-${i}`)).reason).toBe('limited');
    }
    expect(limiter.localDenySize).toBe(5);
    expect(await metricValue(registry, 'ratelimit_local_deny_entries', { policy: 'bounded' })).toBe(5);
    // The newest are kept; the oldest went back to Redis (which still denies them).
    expect((await limiter.limit('key-19')).reason).toBe('local_block');
    expect((await limiter.limit('key-0')).reason).toBe('limited');
  });

  it('reset() clears the local entry too; `false` turns the cache off', async () => {
    const { limiter } = redis.newLimiter({
      name: 'resettable',
      policies: fixedWindow({ limit: 1, windowMs: 60_000 }),
    });
    await limiter.limit('k');
    await limiter.limit('k');
    expect((await limiter.limit('k')).reason).toBe('local_block');
    await limiter.reset('k');
    expect(limiter.localDenySize).toBe(0);
    expect((await limiter.limit('k')).reason).toBe('allowed');

    const off = redis.newLimiter({
      name: 'off',
      policies: fixedWindow({ limit: 1, windowMs: 60_000 }),
      localDenyCache: false,
    }).limiter;
    await off.limit('k');
    await off.limit('k');
    expect((await off.limit('k')).reason).toBe('limited');
  });
});
