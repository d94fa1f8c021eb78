import { startRedisServer, type RedisServerHandle } from '@rnh/test-utils';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeRedis } from '../src/connection/close.js';
import { RedisConnections } from '../src/connection/connections.js';
import { createRedis } from '../src/connection/create-redis.js';
import { pingRedis } from '../src/connection/health.js';
import { RedisClosedError } from '../src/errors.js';
import { memoryLogger, metricValue, optionsFor } from './helpers.js';

let server: RedisServerHandle;

beforeAll(async () => {
  server = await startRedisServer();
});
afterAll(async () => {
  await server?.destroy();
});

describe('RedisConnections', () => {
  it('runs commands through the shared commands connection, keys built with the prefix', async () => {
    const options = optionsFor(server);
    const connections = new RedisConnections({ options, logger: memoryLogger().logger });
    try {
      await connections.connect();
      expect(connections.isReady()).toBe(true);
      const redis = connections.shared('commands');
      expect(connections.shared('commands')).toBe(redis);
      const key = connections.keys.key('hello', 1);
      expect(key).toBe(`${options.keyPrefix}hello:1`);
      await redis.set(key, 'world');
      expect(await redis.get(key)).toBe('world');
      expect(await connections.ping()).toMatchObject({ status: 'up', latencyMs: expect.any(Number) });
      expect(await redis.client('GETNAME')).toBe('rnh:commands');
    } finally {
      await connections.close();
    }
  });

  it('applies the role profiles', async () => {
    const connections = new RedisConnections({ options: optionsFor(server), logger: memoryLogger().logger });
    try {
      const commands = connections.shared('commands') as Redis;
      const producer = connections.shared('producer') as Redis;
      const worker = connections.create('worker', 'emails') as Redis;
      expect(commands.options).toMatchObject({
        enableAutoPipelining: true,
        enableOfflineQueue: true,
        maxRetriesPerRequest: 3,
      });
      expect(connections.shared('subscriber').options).toMatchObject({ enableAutoPipelining: false });
      expect(producer.options).toMatchObject({ enableOfflineQueue: false, maxRetriesPerRequest: 1 });
      expect(worker.options).toMatchObject({
        maxRetriesPerRequest: null,
        enableOfflineQueue: true,
        keyPrefix: '',
      });
      await connections.connect();
      await worker.ping();
      expect(await worker.client('GETNAME')).toBe('rnh:worker:emails');
      expect(connections.list().map(({ pool, role }) => `${pool}/${role}`)).toEqual([
        'commands/commands',
        'producer/producer',
        'emails/worker',
        'subscriber/subscriber',
      ]);
    } finally {
      await connections.close();
    }
  });

  it('close() closes owned connections once, shares concurrent calls, and keeps borrowed ones open', async () => {
    const { logger } = memoryLogger();
    const registry = new Registry();
    const connections = new RedisConnections({ options: optionsFor(server), logger, registry });
    const borrowed = new Redis({ host: server.host, port: server.port });
    try {
      connections.borrow(borrowed, 'bullmq');
      const commands = connections.shared('commands');
      const worker = connections.create('worker', 'jobs');
      await connections.connect();
      await borrowed.set(connections.keys.key('b'), '1');
      expect(
        await metricValue(registry, 'redis_client_connection_state', { pool: 'bullmq', state: 'ready' }),
      ).toBe(1);

      const first = connections.close();
      expect(connections.close()).toBe(first);
      await first;
      await connections.close();

      expect(commands.status).toBe('end');
      expect(worker.status).toBe('end');
      expect(borrowed.status).toBe('ready');
      expect(await borrowed.get(connections.keys.key('b'))).toBe('1');
      expect(() => connections.shared('commands')).toThrow(RedisClosedError);
      expect(() => connections.create('worker', 'x')).toThrow(
        expect.objectContaining({ code: 'REDIS_CLOSED' }),
      );
      expect(connections.isReady()).toBe(false);
      expect(await connections.ping()).toMatchObject({ status: 'down' });
      // The closed registry no longer reports its pools.
      expect(
        await metricValue(registry, 'redis_client_connection_state', { pool: 'commands' }),
      ).toBeUndefined();
    } finally {
      await closeRedis(borrowed);
    }
  });

  it('closeRedis is idempotent and never throws, whatever the state', async () => {
    const options = optionsFor(server);
    const client = createRedis(options, 'commands');
    await client.ping();
    const closing = closeRedis(client);
    expect(closeRedis(client)).toBe(closing);
    await closing;
    expect(client.status).toBe('end');
    await expect(closeRedis(client)).resolves.toBeUndefined();

    // Never connected anywhere (port 1 refuses): still closes, and promptly.
    const dead = createRedis(optionsFor({ host: '127.0.0.1', port: 1 }), 'commands');
    await new Promise((resolve) => setTimeout(resolve, 100));
    await closeRedis(dead, 1000);
    expect(dead.status).toBe('end');
    expect(await pingRedis(dead, 200)).toMatchObject({ status: 'down', latencyMs: null });
  });

  it('validates pool names', () => {
    const connections = new RedisConnections({ options: optionsFor(server), logger: memoryLogger().logger });
    expect(() => connections.create('worker', 'has space')).toThrow(/pool name/);
    expect(() => connections.borrow(new Redis({ lazyConnect: true }), '')).toThrow(
      expect.objectContaining({ code: 'REDIS_INVALID_ARGUMENT' }),
    );
  });
});
