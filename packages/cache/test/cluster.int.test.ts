import { testConnections } from '@rnh/test-connections';
import { startRedisCluster, uniquePrefix, waitFor, type RedisClusterHandle } from '@rnh/test-utils';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cache } from '../src/index.js';
import { memoryLogger, metricValue, TEST_OPERATION_TIMEOUT_MS } from './helpers.js';

// Three real masters sharing the slots: every script must touch one slot only
// (CROSSSLOT otherwise) and namespace clear must SCAN every master.
let cluster: RedisClusterHandle;

beforeAll(async () => {
  cluster = await startRedisCluster(3);
});
afterAll(() => cluster?.destroy());

function clusterCache(prefix: string, bus = false) {
  const { logger } = memoryLogger();
  const connections = testConnections(cluster, { keyPrefix: prefix });
  const registry = new Registry();
  const cache = new Cache(
    {
      redis: connections.shared('commands'),
      keys: connections.keys.child('cache'),
      logger,
      registry,
      subscriber: bus ? connections.shared('subscriber') : undefined,
    },
    { operationTimeoutMs: TEST_OPERATION_TIMEOUT_MS, ...(bus && { l1: {} }) },
  );
  return { cache, connections, registry };
}

// Hundreds of round trips across three servers: on a busy 2-core machine more than the default 20 s.
const CLUSTER_TEST_TIMEOUT_MS = 90_000;

describe('on Redis Cluster (3 masters)', () => {
  it(
    'getOrSet, tags, increment, poisoned entries and namespace clear work across slots',
    async () => {
      const prefix = uniquePrefix('cache');
      const { cache, connections } = clusterCache(prefix);
      try {
        await connections.connect();
        const users = cache.namespace('users');
        let loads = 0;
        for (let i = 0; i < 300; i += 1) {
          await users.getOrSet(`u${i}`, () => ({ i, at: new Date(i) }), {
            ttlSeconds: 60,
            tags: [`org:${i % 7}`],
          });
          loads += 1;
        }
        // Keys are spread over every master.
        const perMaster = await Promise.all(
          cluster.admins.map(
            async (admin) =>
              (await admin.scan('0', 'MATCH', `${prefix}cache:users:*`, 'COUNT', 1000))[1].length,
          ),
        );
        expect(perMaster.filter((n) => n > 0).length).toBe(3);

        expect(await users.getOrSet('u1', () => 'reloaded', { ttlSeconds: 60 })).toEqual({
          i: 1,
          at: new Date(1),
        });
        // Reads issued together (batched into one MGET elsewhere) are one GET per key here:
        // an MGET across slots would be CROSSSLOT.
        const burst = await Promise.all(Array.from({ length: 60 }, (_, i) => users.get(`u${i}`)));
        expect(burst).toEqual(Array.from({ length: 60 }, (_, i) => ({ i, at: new Date(i) })));
        await users.invalidateTag('org:1');
        expect(await users.get('u1')).toBeUndefined();
        expect(await users.get('u8')).toBeUndefined();
        expect(await users.get('u2')).toEqual({ i: 2, at: new Date(2) });

        expect(await users.increment('n', 2, 60)).toBe(2);
        expect(await users.increment('n', 2, 60)).toBe(4);

        const admin = connections.shared('commands');
        await admin.set(`${prefix}cache:users:u3`, 'garbage', 'EX', 60);
        expect(await users.getOrSet('u3', () => 'fresh', { ttlSeconds: 60 })).toBe('fresh');

        expect(await users.clear()).toBeGreaterThanOrEqual(300);
        expect(await users.get('u2')).toBeUndefined();
        expect(loads).toBe(300);
      } finally {
        await connections.close();
      }
    },
    CLUSTER_TEST_TIMEOUT_MS,
  );

  it(
    'the L1 invalidation bus works on a cluster',
    async () => {
      const prefix = uniquePrefix('cache');
      const a = clusterCache(prefix, true);
      const b = clusterCache(prefix, true);
      try {
        await a.connections.connect();
        await b.connections.connect();
        await a.cache.start();
        await b.cache.start();
        await a.cache.set('k', 'v1', { ttlSeconds: 60 });
        expect(await b.cache.get('k')).toBe('v1');
        expect(await b.cache.get('k')).toBe('v1');
        expect(await metricValue(b.registry, 'cache_lookups_total', { layer: 'l1', result: 'hit' })).toBe(1);
        await a.cache.set('k', 'v2', { ttlSeconds: 60 });
        await waitFor(async () => (await b.cache.get('k')) === 'v2', { timeoutMs: 10_000, what: 'v2 in B' });
      } finally {
        await a.cache.close();
        await b.cache.close();
        await a.connections.close();
        await b.connections.close();
      }
    },
    CLUSTER_TEST_TIMEOUT_MS,
  );
});
