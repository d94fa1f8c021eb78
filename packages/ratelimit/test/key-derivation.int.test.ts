import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fixedWindow, tokenBucket } from '../src/index.js';
import { commandCalls, redisNowMs, scanKeys, useTestRedis } from './helpers.js';

const redis = useTestRedis();

const sha256Tag = (identifier: string) =>
  createHash('sha256').update(identifier).digest('base64url').slice(0, 22);

describe('Redis keys', () => {
  it('are named as they always were (SHA-256 of the identifier), never with the identifier in them', async () => {
    const { limiter, prefix } = redis.newLimiter({
      name: 'api',
      policies: fixedWindow({ limit: 10, windowMs: 60_000 }),
    });
    const expected = `${prefix}ratelimit:api:{${sha256Tag('ip4:203.0.113.9')}}:api:fw`;
    expect(limiter.redisKeys('ip4:203.0.113.9')).toEqual([expected]);
    await limiter.limit('ip4:203.0.113.9');
    expect(await scanKeys(redis.admin, `${prefix}*`)).toEqual([expected]);
  });

  it('with hashSecret: HMAC-SHA-256 names, different from the plain ones, the identifier nowhere', async () => {
    const { limiter, prefix } = redis.newLimiter({
      name: 'login',
      policies: fixedWindow({ limit: 5, windowMs: 60_000 }),
      hashSecret: 'a deployment secret',
    });
    const tag = createHmac('sha256', 'a deployment secret')
      .update('user:ada@example.org')
      .digest('base64url')
      .slice(0, 22);
    await limiter.limit('user:ada@example.org');
    const stored = await scanKeys(redis.admin, `${prefix}*`);
    expect(stored).toEqual([`${prefix}ratelimit:login:{${tag}}:login:fw`]);
    expect(tag).not.toBe(sha256Tag('user:ada@example.org'));
    expect(stored.join()).not.toContain('ada');
  });

  it('state left by an earlier version under those names is honoured', async () => {
    const { limiter } = redis.newLimiter({
      name: 'carry',
      policies: [
        fixedWindow({ name: 'window', limit: 3, windowMs: 60_000 }),
        tokenBucket({ name: 'bucket', limit: 10, windowMs: 60_000 }),
      ],
      localDenyCache: false,
    });
    const [windowKey, bucketKey] = limiter.redisKeys('user:7');
    const now = await redisNowMs(redis.admin);
    // The window started 10 s ago with its quota used; the bucket is half empty.
    await redis.admin.hset(windowKey!, 's', String(now - 10_000), 'n', '3');
    await redis.admin.pexpireat(windowKey!, now + 50_000);
    await redis.admin.hset(bucketKey!, 't', '5', 'ts', String(now * 1000));
    await redis.admin.pexpire(bucketKey!, 60_000);
    const decision = await limiter.limit('user:7');
    expect(decision.reason).toBe('limited');
    expect(decision.policy).toBe('window');
    expect(decision.retryAfterMs).toBeGreaterThan(49_000);
    expect(decision.retryAfterMs).toBeLessThanOrEqual(50_000);
    expect(decision.policies[1]).toMatchObject({ name: 'bucket', remaining: 5 });
  });

  it('a fixed-window decision inside an open window writes the count only (the expiry stays as set)', async () => {
    const { limiter } = redis.newLimiter({
      name: 'counted',
      policies: fixedWindow({ limit: 100, windowMs: 60_000 }),
    });
    await limiter.limit('k'); // opens the window: count, start and expiry
    const [key] = limiter.redisKeys('k');
    const expiry = await redis.admin.pexpiretime(key!);
    const calls = async () =>
      Promise.all(['hmget', 'hset', 'pexpireat'].map((command) => commandCalls(redis, command)));
    const before = await calls();
    for (let i = 0; i < 5; i += 1) await limiter.limit('k');
    const after = await calls();
    expect(after.map((count, i) => count - before[i]!)).toEqual([5, 5, 0]);
    expect(await redis.admin.pexpiretime(key!)).toBe(expiry);
    expect((await limiter.peek('k')).remaining).toBe(94);
  });

  it('a token-bucket key lives until its bucket is full again; consumptions before then do not move its expiry', async () => {
    const { limiter } = redis.newLimiter({
      name: 'bucket',
      policies: tokenBucket({ limit: 10, windowMs: 60_000 }), // a token per 6 s
    });
    const first = await limiter.limit('k');
    const [key] = limiter.redisKeys('k');
    const now = await redisNowMs(redis.admin);
    const expiry = await redis.admin.pexpiretime(key!);
    // Full again in 6 s: the key lives that long, and at most an eighth of the window more.
    expect(expiry).toBeGreaterThanOrEqual(now + first.resetMs - 1000);
    expect(expiry).toBeLessThanOrEqual(now + first.resetMs + 7500 + 1000);
    const before = await commandCalls(redis, 'pexpireat');
    const second = await limiter.limit('k'); // full in 12 s: still before the expiry
    expect(second.remaining).toBe(8);
    expect(await commandCalls(redis, 'pexpireat')).toBe(before);
    expect(await redis.admin.pexpiretime(key!)).toBe(expiry);
    await limiter.limit('k'); // full in 18 s: past it, so the expiry moves
    expect(await redis.admin.pexpiretime(key!)).toBeGreaterThanOrEqual(now + 18_000 - 1000);
  });
});
