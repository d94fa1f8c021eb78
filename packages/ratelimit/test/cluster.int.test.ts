import { ScriptRegistry } from '@rnh/redis-client';
import { testConnections } from '@rnh/test-connections';
import { startRedisCluster, type RedisClusterHandle } from '@rnh/test-utils';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fixedWindow,
  gcra,
  RateLimiter,
  slidingWindow,
  tokenBucket,
  type RateLimiterOptions,
} from '../src/index.js';
import { awayFromBoundary, memoryLogger } from './helpers.js';

// Three real masters sharing the slots: every script call must touch one slot only
// (CROSSSLOT otherwise), which the `{hash}` tag shared by one decision's keys ensures.
let cluster: RedisClusterHandle;

beforeAll(async () => {
  cluster = await startRedisCluster(3);
});
afterAll(() => cluster?.destroy());

function clusterLimiter(options: RateLimiterOptions) {
  const { logger } = memoryLogger();
  const connections = testConnections(cluster);
  const scripts = new ScriptRegistry();
  const limiter = new RateLimiter(
    {
      redis: connections.shared('commands'),
      keys: connections.keys.child('ratelimit'),
      logger,
      registry: new Registry(),
      scripts,
    },
    // Ten seconds: 300 concurrent decisions on a busy 2-core machine must not time out and fail
    // open, which would read as a broken limit.
    { operationTimeoutMs: 10_000, localDenyCache: false, ...options },
  );
  return { limiter, connections, scripts };
}

describe('on Redis Cluster (3 masters)', () => {
  it('the keys of one multi-key decision hash to one slot, and keys spread over every master', async () => {
    const { limiter, connections, scripts } = clusterLimiter({
      name: 'api',
      policies: [
        slidingWindow({ name: 'minute', limit: 50, windowMs: 60_000 }),
        fixedWindow({ name: 'hour', limit: 1000, windowMs: 3_600_000 }),
        tokenBucket({ name: 'burst', limit: 20, windowMs: 1000 }),
        gcra({ name: 'day', limit: 5000, windowMs: 86_400_000 }),
      ],
    });
    try {
      await connections.connect();
      await scripts.loadAll(connections.shared('commands'));
      const admin = cluster.admins[0]!;
      const slotsUsed = new Set<number>();
      for (let i = 0; i < 60; i += 1) {
        const key = `ip4:198.51.100.${i}`;
        const decision = await limiter.limit(key);
        expect(decision.reason).toBe('allowed');
        const redisKeys = limiter.redisKeys(key);
        expect(redisKeys).toHaveLength(4); // one per policy
        const slots = await Promise.all(
          redisKeys.map(async (redisKey) => Number(await admin.call('CLUSTER', 'KEYSLOT', redisKey))),
        );
        expect(new Set(slots).size).toBe(1);
        slotsUsed.add(slots[0]!);
      }
      // The keys live on every master (so the test really crossed nodes).
      const perMaster = await Promise.all(cluster.admins.map(async (node) => (await node.dbsize()) > 0));
      expect(perMaster).toEqual([true, true, true]);
      expect(slotsUsed.size).toBeGreaterThan(30);
    } finally {
      await connections.close();
    }
  });

  it('atomic on a cluster too: 300 concurrent requests for a limit of 50 -> 50 allowed; refund and reset work', async () => {
    const { limiter, connections } = clusterLimiter({
      name: 'race',
      policies: [
        slidingWindow({ name: 'sw', limit: 50, windowMs: 3_600_000 }),
        gcra({ name: 'gc', limit: 80, windowMs: 3_600_000 }),
      ],
    });
    try {
      await connections.connect();
      await awayFromBoundary(cluster.admins[0]!, 3_600_000, 5_000);
      const decisions = await Promise.all(Array.from({ length: 300 }, () => limiter.limit('hot')));
      expect(decisions.filter((d) => d.allowed)).toHaveLength(50);
      expect(
        await limiter.refund(
          'hot',
          decisions.find((d) => d.consumed)!,
        ),
      ).toBe(true);
      expect((await limiter.limit('hot')).allowed).toBe(true);
      await limiter.reset('hot');
      expect((await limiter.peek('hot')).remaining).toBe(50);
    } finally {
      await connections.close();
    }
  });
});
