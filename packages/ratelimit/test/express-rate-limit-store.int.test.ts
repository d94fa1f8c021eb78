import { describe, expect, it } from 'vitest';
import { RedisRateLimitStore, type ExpressRateLimitStore } from '../src/index.js';
import { sleep, TEST_TIMEOUT_MS, uniquePrefix, useRedisServer } from './helpers.js';

const redis = useRedisServer();

function store(prefix = uniquePrefix('rl')) {
  const connections = redis.newConnections(prefix);
  return new RedisRateLimitStore(
    { redis: connections.shared('commands'), keys: connections.keys.child('ratelimit') },
    { name: 'erl', operationTimeoutMs: TEST_TIMEOUT_MS },
  );
}

// Called the way express-rate-limit calls a Store (init once, then increment /
// decrement / get / resetKey), without importing express-rate-limit.
describe('RedisRateLimitStore (express-rate-limit Store)', () => {
  it('has the Store shape: shared keys and a prefix', () => {
    const instance: ExpressRateLimitStore = store();
    expect(instance.localKeys).toBe(false);
    expect(instance.prefix).toMatch(/ratelimit:erl:erl:$/);
    for (const method of ['init', 'get', 'increment', 'decrement', 'resetKey'] as const)
      expect(typeof instance[method]).toBe('function');
  });

  it('counts hits (past the limit too: the middleware compares), decrements, resets', async () => {
    const instance = store();
    instance.init({ windowMs: 60_000 });
    const started = Date.now();
    expect(await instance.get('203.0.113.1')).toBeUndefined();
    const first = await instance.increment('203.0.113.1');
    expect(first.totalHits).toBe(1);
    expect(first.resetTime).toBeInstanceOf(Date);
    expect(first.resetTime!.getTime() - started).toBeGreaterThan(59_000);
    expect(first.resetTime!.getTime() - Date.now()).toBeLessThanOrEqual(60_000);
    for (let i = 2; i <= 7; i += 1) expect((await instance.increment('203.0.113.1')).totalHits).toBe(i);
    await instance.decrement('203.0.113.1');
    expect((await instance.get('203.0.113.1'))!.totalHits).toBe(6);
    expect((await instance.increment('203.0.113.2')).totalHits).toBe(1);
    await instance.resetKey('203.0.113.1');
    expect(await instance.get('203.0.113.1')).toBeUndefined();
    expect(instance.redisKey('203.0.113.1')).not.toContain('203.0.113');
  });

  it('two instances on one Redis share counts; windows start with the first hit and end on Redis time', async () => {
    const prefix = uniquePrefix('rl');
    const a = store(prefix);
    const b = store(prefix);
    // 1 s windows: each step below fits in one even on a busy machine.
    a.init({ windowMs: 1000 });
    b.init({ windowMs: 1000 });
    await a.increment('k');
    expect((await b.increment('k')).totalHits).toBe(2);
    await sleep(1100);
    expect(await a.get('k')).toBeUndefined();
    expect((await b.increment('k')).totalHits).toBe(1);
    // A decrement after the window ended does nothing (never negative).
    await sleep(1100);
    await a.decrement('k');
    expect(await a.get('k')).toBeUndefined();
  });
});
