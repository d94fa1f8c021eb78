import { describe, expect, it } from 'vitest';
import { fixedWindow, gcra, slidingWindow, tokenBucket, type Policy } from '../src/index.js';
import { awayFromBoundary, redisNowMs, sleep, uniquePrefix, useTestRedis } from './helpers.js';

const redis = useTestRedis();

const HOUR = 3_600_000;

// Each algorithm with: a policy of `limit` per `windowMs`, and the longest retry-after
// the first denial after a burst of `limit` can report (fixed: the rest of the window;
// sliding: up to 1.5 windows; buckets: one emission interval).
const cases: Array<{
  name: string;
  make: (limit: number, windowMs: number) => Policy;
  maxRetry: (limit: number, windowMs: number) => number;
}> = [
  {
    name: 'fixed window',
    make: (limit, windowMs) => fixedWindow({ limit, windowMs }),
    maxRetry: (_l, w) => w,
  },
  {
    name: 'sliding window',
    make: (limit, windowMs) => slidingWindow({ limit, windowMs }),
    maxRetry: (_l, w) => w + w / 2,
  },
  {
    name: 'token bucket',
    make: (limit, windowMs) => tokenBucket({ limit, windowMs }),
    maxRetry: (l, w) => Math.ceil(w / l),
  },
  {
    name: 'GCRA',
    make: (limit, windowMs) => gcra({ limit, windowMs }),
    maxRetry: (l, w) => Math.ceil(w / l),
  },
];

describe.each(cases)('$name', ({ make, maxRetry }) => {
  it('limit N: exactly N allowed, remaining counts down, the N+1th is denied with a retry-after', async () => {
    await awayFromBoundary(redis.admin, HOUR, 5_000);
    const { limiter } = redis.newLimiter({ name: 'exact', policies: make(5, HOUR) });
    const decisions = [];
    for (let i = 0; i < 7; i += 1) decisions.push(await limiter.limit('client-1'));
    expect(decisions.map((d) => d.reason)).toEqual([
      'allowed',
      'allowed',
      'allowed',
      'allowed',
      'allowed',
      'limited',
      'local_block', // the deny cache answers until the retry-after
    ]);
    expect(decisions.map((d) => d.remaining)).toEqual([4, 3, 2, 1, 0, 0, 0]);
    const denied = decisions[5]!;
    expect(denied).toMatchObject({ allowed: false, limit: 5, consumed: false, policy: 'exact' });
    expect(denied.retryAfterMs).toBeGreaterThan(0);
    expect(denied.retryAfterMs).toBeLessThanOrEqual(maxRetry(5, HOUR));
    expect(denied.resetMs).toBeGreaterThanOrEqual(denied.retryAfterMs);
    expect(decisions.slice(0, 5).every((d) => d.retryAfterMs === 0 && d.consumed)).toBe(true);
    // Another key has its own budget.
    expect((await limiter.limit('client-2')).remaining).toBe(4);
  });

  it('500 concurrent requests for a limit of 100 over 5 connections: exactly 100 allowed', async () => {
    await awayFromBoundary(redis.admin, HOUR, 5_000);
    const prefix = uniquePrefix('rl');
    const limiters = Array.from(
      { length: 5 },
      () =>
        // No local deny cache: every one of the 500 calls is decided by Redis.
        redis.newLimiter({ name: 'race', policies: make(100, HOUR), localDenyCache: false }, { prefix })
          .limiter,
    );
    const decisions = await Promise.all(
      Array.from({ length: 500 }, (_, i) => limiters[i % 5]!.limit('hot-key')),
    );
    expect(decisions.filter((d) => d.allowed)).toHaveLength(100);
    expect(decisions.filter((d) => d.reason === 'limited')).toHaveLength(400);
    // Each remaining value 0..99 was handed out exactly once.
    const remaining = decisions.filter((d) => d.allowed).map((d) => d.remaining);
    expect(new Set(remaining).size).toBe(100);
  });

  it('rollover: the retry-after Redis reports is right within 1 s, and waiting it lets requests through', async () => {
    // 2 s: the three calls and the peek below fit in one emission interval (1 s) even on a busy machine.
    const windowMs = 2000;
    const { limiter } = redis.newLimiter({
      name: 'roll',
      policies: make(2, windowMs),
      localDenyCache: false,
    });
    const before = await redisNowMs(redis.admin);
    await limiter.limit('k');
    await limiter.limit('k');
    const denied = await limiter.limit('k');
    expect(denied.reason).toBe('limited');
    expect(denied.retryAfterMs).toBeGreaterThan(0);
    expect(denied.retryAfterMs).toBeLessThanOrEqual(maxRetry(2, windowMs));
    // Later evaluations report the same moment, counted down on Redis's clock.
    await sleep(100);
    const again = await limiter.peek('k');
    const elapsed = (await redisNowMs(redis.admin)) - (denied.at ?? before);
    expect(again.allowed).toBe(false);
    expect(Math.abs(again.retryAfterMs - (denied.retryAfterMs - elapsed))).toBeLessThan(1000);
    // Waiting the reported time is enough, whatever the wall clock of this machine did meanwhile.
    await sleep(again.retryAfterMs + 30);
    expect((await limiter.limit('k')).reason).toBe('allowed');
  });

  it('cost: units add up; a cost above the quota is denied for good and records nothing', async () => {
    await awayFromBoundary(redis.admin, HOUR, 5_000);
    const { limiter } = redis.newLimiter({ name: 'cost', policies: make(10, HOUR) });
    expect(await limiter.limit('k', { cost: 4 })).toMatchObject({ allowed: true, remaining: 6 });
    expect(await limiter.limit('k', { cost: 4 })).toMatchObject({ allowed: true, remaining: 2 });
    expect(await limiter.limit('k', { cost: 4 })).toMatchObject({ allowed: false, remaining: 2 });
    const never = await limiter.limit('other', { cost: 11 });
    expect(never).toMatchObject({ allowed: false, retryAfterMs: Number.POSITIVE_INFINITY });
    expect((await limiter.peek('other')).remaining).toBe(10);
    await expect(limiter.limit('k', { cost: 0 })).rejects.toThrow(/cost must be an integer/);
  });

  it('peek records nothing; reset forgets the key', async () => {
    await awayFromBoundary(redis.admin, HOUR, 5_000);
    const { limiter } = redis.newLimiter({ name: 'peek', policies: make(2, HOUR) });
    const fresh = await limiter.peek('k');
    expect(fresh).toMatchObject({ allowed: true, remaining: 2, resetMs: 0, consumed: false });
    await limiter.limit('k');
    expect((await limiter.peek('k')).remaining).toBe(1);
    expect((await limiter.peek('k')).remaining).toBe(1);
    await limiter.limit('k');
    expect((await limiter.peek('k')).allowed).toBe(false);
    await limiter.reset('k');
    expect((await limiter.limit('k')).remaining).toBe(1);
    for (const key of limiter.redisKeys('k')) expect(key).toContain(':peek:{');
  });
});
