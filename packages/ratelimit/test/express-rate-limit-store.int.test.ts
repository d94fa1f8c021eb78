import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { RedisRateLimitStore, type ExpressRateLimitStore } from '../src/index.js';
import { memoryLogger, metricValue, sleep, TEST_TIMEOUT_MS, uniquePrefix, useTestRedis } from './helpers.js';

const redis = useTestRedis();

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

  it('records in the registry, logs with the logger and spans with the tracer it is given', async () => {
    const connections = redis.newConnections(uniquePrefix('rl'));
    const registry = new Registry();
    const log = memoryLogger();
    const exporter = new InMemorySpanExporter();
    const tracer = new BasicTracerProvider({
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    }).getTracer('store-test');
    const instance = new RedisRateLimitStore(
      {
        redis: connections.shared('commands'),
        keys: connections.keys.child('ratelimit'),
        logger: log.logger,
        registry,
        tracer,
      },
      { name: 'signup', operationTimeoutMs: TEST_TIMEOUT_MS },
    );
    await instance.increment('198.51.100.7');
    await instance.increment('198.51.100.7');
    await instance.decrement('198.51.100.7');
    // Each increment (the Redis part of one express-rate-limit decision) is timed, under the store's name.
    expect(await metricValue(registry, 'ratelimit_decision_duration_seconds', { policy: 'signup' })).toBe(2);
    expect(exporter.getFinishedSpans().map((span) => span.name)).toEqual([
      'ratelimit.store.increment',
      'ratelimit.store.increment',
      'ratelimit.store.decrement',
    ]);

    // A Redis error (the counter's key holds a string): rethrown as Redis's own, logged, on the span.
    await redis.admin.set(instance.redisKey('198.51.100.8'), 'not a hash');
    await expect(instance.increment('198.51.100.8')).rejects.toThrow(/WRONGTYPE/);
    expect(log.lines()).toEqual([
      expect.objectContaining({
        msg: expect.stringContaining('rate limit store: a Redis call failed'),
        store: 'signup',
        operation: 'increment',
        error_type: 'WRONGTYPE',
      }),
    ]);
    expect(exporter.getFinishedSpans().at(-1)?.status).toMatchObject({ message: 'WRONGTYPE' });
    expect(log.text()).not.toContain('198.51.100');
  });

  it('rejects an operationTimeoutMs that is not a positive number', () => {
    expect(() => new RedisRateLimitStore({ redis: redis.admin }, { operationTimeoutMs: 0 })).toThrow(
      expect.objectContaining({
        code: 'RATELIMIT_INVALID_ARGUMENT',
        message: 'operationTimeoutMs must be > 0 (got 0)',
      }),
    );
  });
});
