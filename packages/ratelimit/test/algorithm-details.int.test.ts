import { describe, expect, it } from 'vitest';
import { fixedWindow, gcra, slidingWindow, tokenBucket } from '../src/index.js';
import { awayFromBoundary, redisNowMs, sleep, useTestRedis } from './helpers.js';

const redis = useTestRedis();
const HOUR = 3_600_000;

describe('fixed window', () => {
  it('starts at the first request and gives the whole quota back when it ends', async () => {
    const { limiter } = redis.newLimiter({ name: 'fw', policies: fixedWindow({ limit: 3, windowMs: 1500 }) });
    const first = await limiter.limit('k');
    expect(first.resetMs).toBeGreaterThan(1400);
    expect(first.resetMs).toBeLessThanOrEqual(1500);
    await limiter.limit('k');
    await limiter.limit('k');
    const denied = await limiter.limit('k');
    // Fixed window: the wait is the rest of the window, and then the whole quota is back.
    expect(denied.retryAfterMs).toBe(denied.resetMs);
    await sleep(denied.retryAfterMs + 30);
    expect(await limiter.limit('k')).toMatchObject({ allowed: true, remaining: 2 });
  });
});

describe('sliding window', () => {
  it("weights the previous window's count by the part of it still inside the sliding window", async () => {
    await awayFromBoundary(redis.admin, HOUR, 5_000);
    const { limiter } = redis.newLimiter({
      name: 'sw',
      policies: slidingWindow({ limit: 100, windowMs: HOUR }),
    });
    await limiter.limit('k');
    const [key] = limiter.redisKeys('k');
    const now = await redisNowMs(redis.admin);
    const index = Math.floor(now / HOUR);
    const left = (index + 1) * HOUR - now; // time left in the current window
    // Pretend 80 units were used in the previous window.
    await redis.admin.hset(key!, 'p', '80');
    const expected = Math.floor(100 - (80 * left) / HOUR - 1);
    expect(Math.abs((await limiter.peek('k')).remaining - expected)).toBeLessThanOrEqual(1);
    // State last written in the previous window: its count is now the weighted one.
    await redis.admin.hset(key!, 'w', String(index - 1), 'n', '80', 'p', '7');
    const carried = Math.floor(100 - (80 * left) / HOUR);
    expect(Math.abs((await limiter.peek('k')).remaining - carried)).toBeLessThanOrEqual(1);
    // The first request of this window moves it there, and the expiry to the next window's end.
    await limiter.limit('k');
    expect(await redis.admin.hmget(key!, 'w', 'n', 'p')).toEqual([String(index), '1', '80']);
    expect(await redis.admin.pexpiretime(key!)).toBe((index + 2) * HOUR);
    // State older than that counts for nothing.
    await redis.admin.hset(key!, 'w', String(index - 3));
    expect((await limiter.peek('k')).remaining).toBe(100);
  });

  it('keeps both windows in one key, its identifier hashed', async () => {
    const { limiter } = redis.newLimiter({
      name: 'sw2',
      policies: slidingWindow({ limit: 1, windowMs: 1000 }),
    });
    const keys = limiter.redisKeys('203.0.113.9');
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(/:\{[A-Za-z0-9_-]{22}\}:sw2:sw$/);
    expect(keys.join()).not.toContain('203.0.113.9');
  });
});

describe('token bucket', () => {
  it('refills one token per windowMs / limit and never above the burst', async () => {
    // One token per 500 ms: room for two calls in a row on a busy machine before a refill.
    const { limiter } = redis.newLimiter({
      name: 'tb',
      policies: tokenBucket({ limit: 4, windowMs: 2000, burst: 2 }),
      localDenyCache: false,
    });
    expect((await limiter.limit('k')).remaining).toBe(1);
    expect((await limiter.limit('k')).remaining).toBe(0);
    const denied = await limiter.limit('k');
    expect(denied.retryAfterMs).toBeGreaterThan(0);
    expect(denied.retryAfterMs).toBeLessThanOrEqual(500);
    expect(denied.resetMs).toBeLessThanOrEqual(1000);
    await sleep(denied.retryAfterMs + 20);
    expect((await limiter.limit('k')).allowed).toBe(true);
    // Long enough for 3 tokens: only the cap keeps it at 2.
    await sleep(1700);
    expect((await limiter.peek('k')).remaining).toBe(2);
  });
});

describe('GCRA', () => {
  it('spaces requests by the emission interval after the burst', async () => {
    // An emission interval of 500 ms: three calls in a row fit in it on a busy machine.
    const { limiter } = redis.newLimiter({
      name: 'gc',
      policies: gcra({ limit: 4, windowMs: 2000, burst: 2 }),
      localDenyCache: false,
    });
    expect((await limiter.limit('k')).allowed).toBe(true);
    expect((await limiter.limit('k')).allowed).toBe(true);
    const denied = await limiter.limit('k');
    expect(denied.allowed).toBe(false);
    expect(denied.retryAfterMs).toBeGreaterThan(0);
    expect(denied.retryAfterMs).toBeLessThanOrEqual(500);
    expect(denied.limit).toBe(2);
    await sleep(denied.retryAfterMs + 20);
    expect((await limiter.limit('k')).allowed).toBe(true);
    // The key holds one value (the theoretical arrival time) and expires when the burst is back.
    const [key] = limiter.redisKeys('k');
    expect(await redis.admin.type(key!)).toBe('string');
    expect(await redis.admin.pttl(key!)).toBeLessThanOrEqual(1000);
  });
});
