import { context, trace, TraceFlags } from '@opentelemetry/api';
import { startRedisServer, type RedisServerHandle } from '@rnh/test-utils';
import { Redis } from 'ioredis';
import { Registry, type OpenMetricsContentType, type RegistryContentType } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeRedis } from '../src/connection/close.js';
import { RedisConnections } from '../src/connection/connections.js';
import { createRedis } from '../src/connection/create-redis.js';
import { parseRedisInfo } from '../src/metrics/parse-info.js';
import { RedisServerInfoSampler } from '../src/metrics/server-info-sampler.js';
import { registerServerInfoMetrics } from '../src/metrics/server-metrics.js';
import { TestContextManager } from './context-manager.js';
import { memoryLogger, metricValue, operationCount, optionsFor } from './helpers.js';

let server: RedisServerHandle;
let direct: Redis;

beforeAll(async () => {
  server = await startRedisServer();
  direct = new Redis({ host: server.host, port: server.port });
});
afterAll(async () => {
  await direct?.quit();
  await server?.destroy();
});

function setup(registry: Registry<RegistryContentType> = new Registry(), serverInfoCacheMs?: number) {
  const connections = new RedisConnections({
    options: optionsFor(server),
    logger: memoryLogger().logger,
    registry,
    serverInfoCacheMs,
  });
  return { registry, connections, keys: connections.keys };
}

describe('operation duration histogram', () => {
  it('counts commands by name and error type, including auto-pipelined and pipelined ones', async () => {
    const { registry, connections, keys } = setup();
    try {
      await connections.connect();
      const redis = connections.shared('commands');
      const before = await operationCount(registry, 'commands', 'get');

      // Issued in one tick on a commands connection: ioredis auto-pipelines them.
      const gets = Array.from({ length: 50 }, (_, i) => redis.get(keys.key('k', i)));
      expect(redis.autoPipelineQueueSize).toBe(50);
      await Promise.all(gets);
      expect(await operationCount(registry, 'commands', 'get')).toBe(before + 50);

      await redis.set(keys.key('str'), 'v');
      await expect(redis.lpush(keys.key('str'), 'x')).rejects.toThrow(/^WRONGTYPE/);
      expect(await operationCount(registry, 'commands', 'lpush', 'WRONGTYPE')).toBe(1);
      expect(await operationCount(registry, 'commands', 'set')).toBe(1);

      await redis.pipeline().incr(keys.key('n')).incr(keys.key('n')).exec();
      await redis.multi().incr(keys.key('n')).exec();
      expect(await operationCount(registry, 'commands', 'incr')).toBe(3);
      expect(await operationCount(registry, 'commands', 'multi')).toBe(1);
      expect(await operationCount(registry, 'commands', 'exec')).toBe(1);

      await expect(redis.call('NOT.A.COMMAND')).rejects.toThrow(/^ERR/);
      expect(await operationCount(registry, 'commands', 'other', 'ERR')).toBe(1);

      const text = await registry.metrics();
      expect(text).toContain(
        'db_client_operation_duration_seconds_bucket{le="0.0001",db_system_name="redis",db_operation_name="get",error_type="",db_client_connection_pool_name="commands"}',
      );
      expect(text).toMatch(/redis_client_pending_commands\{pool="commands"\} 0/);
    } finally {
      await connections.close();
    }
  });

  it('attaches trace exemplars on an OpenMetrics registry when a sampled span is active', async () => {
    const manager = new TestContextManager();
    context.setGlobalContextManager(manager);
    // The typings of prom-client 15 omit the constructor argument; setContentType is the typed way.
    const openMetrics = new Registry<OpenMetricsContentType>();
    openMetrics.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    const { registry, connections, keys } = setup(openMetrics);
    try {
      await connections.connect();
      const redis = connections.shared('commands');
      const span = trace.wrapSpanContext({
        traceId: 'a'.repeat(32),
        spanId: 'b'.repeat(16),
        traceFlags: TraceFlags.SAMPLED,
      });
      await context.with(trace.setSpan(context.active(), span), () => redis.get(keys.key('traced')));
      const unsampled = trace.wrapSpanContext({
        traceId: 'c'.repeat(32),
        spanId: 'd'.repeat(16),
        traceFlags: TraceFlags.NONE,
      });
      await context.with(trace.setSpan(context.active(), unsampled), () => redis.hget(keys.key('h'), 'f'));

      const text = await registry.metrics();
      expect(text).toMatch(/db_operation_name="get".* # \{trace_id="a{32}",span_id="b{16}"\}/);
      expect(text).not.toContain('c'.repeat(32));
      // OpenMetrics names the counter family without _total and its samples with it.
      expect(text).toContain('# TYPE redis_client_reconnects counter');
      expect(text).toMatch(/^redis_server_keyspace_hits_total\{node="[^"]+"\} \d+$/m);
    } finally {
      await connections.close();
      context.disable();
    }
  });

  it('lets two RedisConnections share one registry', async () => {
    const registry = new Registry();
    const first = setup(registry);
    const second = new RedisConnections({
      options: optionsFor(server),
      logger: memoryLogger().logger,
      registry,
    });
    try {
      await Promise.all([first.connections.connect(), second.connect()]);
      second.create('worker', 'w1');
      await second.connect();
      expect(
        await metricValue(registry, 'redis_client_connection_state', { pool: 'commands', state: 'ready' }),
      ).toBe(2);
      expect(
        await metricValue(registry, 'redis_client_connection_state', { pool: 'w1', state: 'ready' }),
      ).toBe(1);
    } finally {
      await Promise.all([first.connections.close(), second.close()]);
    }
  });
});

describe('server INFO metrics', () => {
  it('match INFO read directly', async () => {
    const { registry, connections, keys } = setup(new Registry(), 0);
    const node = `${server.host}:${server.port}`;
    try {
      await connections.connect();
      const redis = connections.shared('commands');
      await direct.config('SET', 'maxmemory', '100mb');
      await redis.set(keys.key('hit'), '1');
      for (let i = 0; i < 3; i++) await redis.get(keys.key('hit'));
      for (let i = 0; i < 2; i++) await redis.get(keys.key('miss'));

      const value = (name: string) => metricValue(registry, name, { node });
      const maxMemory = await value('redis_server_memory_max_bytes');
      const usedMemory = await value('redis_server_memory_used_bytes');
      const hits = await value('redis_server_keyspace_hits_total');
      const misses = await value('redis_server_keyspace_misses_total');
      const clients = await value('redis_server_connected_clients');
      const info = parseRedisInfo(await direct.info());

      expect(await value('redis_server_up')).toBe(1);
      expect(maxMemory).toBe(100 * 1024 * 1024);
      expect(maxMemory).toBe(Number(info.maxmemory));
      expect(Math.abs((usedMemory ?? 0) - Number(info.used_memory))).toBeLessThan(512 * 1024);
      expect(hits).toBe(Number(info.keyspace_hits));
      expect(misses).toBe(Number(info.keyspace_misses));
      expect(hits).toBeGreaterThanOrEqual(3);
      expect(misses).toBeGreaterThanOrEqual(2);
      expect(clients).toBe(Number(info.connected_clients));
      expect(await value('redis_server_uptime_seconds')).toBeGreaterThanOrEqual(0);
      expect(await value('redis_server_commands_processed_total')).toBeGreaterThan(0);
      expect(await value('redis_server_memory_fragmentation_ratio')).toBeGreaterThan(0);
      for (const name of [
        'redis_server_blocked_clients',
        'redis_server_rejected_connections_total',
        'redis_server_evicted_keys_total',
        'redis_server_expired_keys_total',
      ]) {
        expect(await value(name), name).toBe(Number(info[name.replace(/^redis_server_|_total$/g, '')]));
      }
    } finally {
      await direct.config('SET', 'maxmemory', '0');
      await connections.close();
    }
  });

  it('issue one INFO per cache window, shared by concurrent scrapes', async () => {
    const { registry, connections } = setup(new Registry(), 60_000);
    try {
      await connections.connect();
      const before = await operationCount(registry, 'commands', 'info');
      await Promise.all([registry.metrics(), registry.metrics()]);
      await registry.metrics();
      expect(await operationCount(registry, 'commands', 'info')).toBe(before + 1);
    } finally {
      await connections.close();
    }
  });

  it('report up=0 and nothing else for a server that cannot be reached', async () => {
    const registry = new Registry();
    const client = createRedis(optionsFor({ host: '127.0.0.1', port: 1 }), 'commands');
    const sampler = new RedisServerInfoSampler({ client, cacheMs: 0, node: 'down:1' });
    const unregister = registerServerInfoMetrics(registry, sampler);
    try {
      expect(await metricValue(registry, 'redis_server_up', { node: 'down:1' })).toBe(0);
      expect(
        await metricValue(registry, 'redis_server_memory_used_bytes', { node: 'down:1' }),
      ).toBeUndefined();
      expect(
        await metricValue(registry, 'redis_server_keyspace_hits_total', { node: 'down:1' }),
      ).toBeUndefined();
      expect(await sampler.sample()).toEqual([
        { node: 'down:1', up: false, error: expect.stringMatching(/status/) },
      ]);
    } finally {
      unregister();
      await closeRedis(client);
    }
  });
});
