import { describe, expect, it } from 'vitest';
import { fixedWindow, gcra, slidingWindow } from '../src/index.js';
import { commandCalls, useTestRedis } from './helpers.js';

const redis = useTestRedis();

describe('batching', () => {
  it('the limit() calls of one event-loop turn go to Redis as one EVALSHA (on Cluster, one per decision)', async () => {
    const { limiter } = redis.newLimiter({
      name: 'batch',
      policies: fixedWindow({ limit: 3, windowMs: 60_000 }),
      localDenyCache: false,
    });
    await limiter.limit('warm-up'); // the script is loaded
    const before = await commandCalls(redis, 'evalsha');
    const keys = [...Array.from({ length: 20 }, (_, i) => `client-${i}`), ...Array<string>(5).fill('hot')];
    const decisions = await Promise.all(keys.map((key) => limiter.limit(key)));
    // Keys of many slots cannot share a script call on Cluster; the decisions are the same.
    expect(await commandCalls(redis, 'evalsha')).toBe(
      before + (redis.topology === 'cluster' ? keys.length : 1),
    );
    expect(decisions.slice(0, 20).every((d) => d.reason === 'allowed' && d.remaining === 2)).toBe(true);
    // One key several times in one batch: decided one after another, as separate calls would be.
    expect(decisions.slice(20).map((d) => d.reason)).toEqual([
      'allowed',
      'allowed',
      'allowed',
      'limited',
      'limited',
    ]);
    expect(decisions.slice(20, 23).map((d) => d.remaining)).toEqual([2, 1, 0]);
  });

  it('several policies in one batch: all or nothing per decision, costs per decision', async () => {
    const { limiter } = redis.newLimiter({
      name: 'multi',
      policies: [
        slidingWindow({ name: 'minute', limit: 5, windowMs: 60_000 }),
        gcra({ name: 'burst', limit: 100, windowMs: 1000, burst: 4 }),
      ],
      localDenyCache: false,
    });
    const decisions = await Promise.all([
      limiter.limit('k', { cost: 3 }),
      limiter.limit('k', { cost: 2 }),
      limiter.limit('k'),
      limiter.limit('other', { cost: 4 }),
    ]);
    expect(decisions.map((d) => d.reason)).toEqual(['allowed', 'limited', 'allowed', 'allowed']);
    expect(decisions[0]!.policies.map((p) => p.remaining)).toEqual([2, 1]);
    expect(decisions[2]!.policies.map((p) => p.remaining)).toEqual([1, 0]);
    expect(decisions[1]!.policy).toBe('burst');
  });
});
