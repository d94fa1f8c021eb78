import { describe, expect, it } from 'vitest';
import { fixedWindow, gcra, slidingWindow, tokenBucket } from '../src/index.js';
import { awayFromBoundary, commandCalls, useTestRedis } from './helpers.js';

const redis = useTestRedis();
const HOUR = 3_600_000;
const DAY = 86_400_000;

describe('several policies on one limiter', () => {
  it('allows only when every policy allows, and records nothing on any policy when one denies', async () => {
    const { limiter } = redis.newLimiter({
      name: 'api',
      policies: [
        fixedWindow({ name: 'burst', limit: 3, windowMs: HOUR }),
        gcra({ name: 'daily', limit: 10, windowMs: DAY }),
      ],
      localDenyCache: false,
    });
    const decisions = [];
    for (let i = 0; i < 8; i += 1) decisions.push(await limiter.limit('user:1'));
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, false, false, false, false, false]);
    const denied = decisions[3]!;
    expect(denied.policy).toBe('burst');
    expect(denied.policies.map((p) => [p.name, p.allowed, p.remaining])).toEqual([
      ['burst', false, 0],
      ['daily', true, 7],
    ]);
    // The five denied requests did not use the daily quota.
    const daily = (await limiter.peek('user:1')).policies.find((p) => p.name === 'daily')!;
    expect(daily.remaining).toBe(7);
  });

  it('reports the policy with the least left while allowed, and the longest wait when denied', async () => {
    await awayFromBoundary(redis.admin, HOUR, 5_000);
    const { limiter } = redis.newLimiter({
      name: 'mixed',
      policies: [
        slidingWindow({ name: 'hourly', limit: 5, windowMs: HOUR }),
        tokenBucket({ name: 'per-second', limit: 10, windowMs: 1000 }),
        fixedWindow({ name: 'daily', limit: 3, windowMs: DAY }),
      ],
      localDenyCache: false,
    });
    const first = await limiter.limit('k');
    expect(first).toMatchObject({ allowed: true, policy: 'daily', remaining: 2, limit: 3 });
    await limiter.limit('k');
    await limiter.limit('k');
    const denied = await limiter.limit('k');
    expect(denied).toMatchObject({ allowed: false, policy: 'daily' });
    expect(denied.retryAfterMs).toBeGreaterThan(HOUR);
  });

  it('one decision over four algorithms is one round trip (one EVALSHA)', async () => {
    const { limiter } = redis.newLimiter({
      name: 'all4',
      policies: [
        fixedWindow({ name: 'a', limit: 100, windowMs: HOUR }),
        slidingWindow({ name: 'b', limit: 100, windowMs: HOUR }),
        tokenBucket({ name: 'c', limit: 100, windowMs: HOUR }),
        gcra({ name: 'd', limit: 100, windowMs: HOUR }),
      ],
    });
    await limiter.limit('warm-up'); // loads the script (NOSCRIPT, then EVAL) once
    const before = await commandCalls(redis, 'evalsha');
    for (let i = 0; i < 10; i += 1) expect((await limiter.limit('k')).allowed).toBe(true);
    expect((await commandCalls(redis, 'evalsha')) - before).toBe(10);
    expect(limiter.redisKeys('k')).toHaveLength(4);
  });
});
