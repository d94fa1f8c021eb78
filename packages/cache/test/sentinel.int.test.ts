// Behind Redis Sentinel the commands connection is a plain client of the master: reads are batched into MGETs there too.
import { testConnections } from '@rnh/test-connections';
import {
  startRedisSentinel,
  startRedisServer,
  type RedisSentinelHandle,
  type RedisServerHandle,
} from '@rnh/test-utils';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cache } from '../src/index.js';
import { memoryLogger, TEST_OPERATION_TIMEOUT_MS } from './helpers.js';

const password = 'cache-sentinel-test';
let master: RedisServerHandle;
let sentinel: RedisSentinelHandle;

beforeAll(async () => {
  master = await startRedisServer({ password });
  sentinel = await startRedisSentinel({ master, password });
});
afterAll(async () => {
  await sentinel?.destroy();
  await master?.destroy();
});

describe('behind Redis Sentinel', () => {
  it('getOrSet, tags and batched reads work on the master the Sentinel names', async () => {
    const { logger } = memoryLogger();
    const connections = testConnections(sentinel, { password });
    const admin = new Redis({ host: master.host, port: master.port, password });
    try {
      await connections.connect();
      const cache = new Cache(
        {
          redis: connections.shared('commands'),
          keys: connections.keys.child('cache'),
          logger,
          registry: new Registry(),
        },
        { operationTimeoutMs: TEST_OPERATION_TIMEOUT_MS },
      );
      for (let i = 0; i < 10; i += 1)
        expect(
          await cache.getOrSet(`k${i}`, () => ({ i }), { ttlSeconds: 60, tags: ['t', `org:${i % 2}`] }),
        ).toEqual({ i });
      await admin.config('RESETSTAT');
      const values = await Promise.all(
        Array.from({ length: 10 }, (_, i) => cache.getOrSet(`k${i}`, () => 'reloaded', { ttlSeconds: 60 })),
      );
      expect(values).toEqual(Array.from({ length: 10 }, (_, i) => ({ i })));
      const stats = await admin.info('commandstats');
      // The entries, then their tags' tokens: two MGETs on the master, no single GETs.
      expect(/cmdstat_mget:calls=(\d+)/.exec(stats)?.[1]).toBe('2');
      expect(stats).not.toMatch(/cmdstat_get:/);
      await cache.invalidateTag('t');
      expect(await cache.get('k1')).toBeUndefined();
    } finally {
      admin.disconnect();
      await connections.close();
    }
  });
});
