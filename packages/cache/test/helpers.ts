import type { RedisConnections } from '@rnh/redis-client';
import { testConnections } from '@rnh/test-connections';
import { memoryLogger, uniquePrefix, useRedis, type TopologyRedis } from '@rnh/test-utils';
import { Registry, type RegistryContentType } from 'prom-client';
import { Cache, type CacheOptions } from '../src/index.js';

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The cache's Redis timeout in tests that are not about timeouts. Production's budget is for a
 * healthy server; on a busy test machine an answer can take longer, and the cache would then
 * count a miss or skip a write. Tests of the failure paths set their own.
 */
export const TEST_OPERATION_TIMEOUT_MS = 10_000;

/**
 * Load-lock limits for tests that count loader runs across instances: a waiter that gives up
 * (production waits 3 s) or a lock that expires (5 s) while a busy machine holds the loader up
 * would load a second time. Tests of those limits set their own.
 */
export const TEST_LOCK = { ttlMs: 30_000, waitMs: 30_000 } as const;

export interface TestCache {
  cache: Cache;
  registry: Registry<RegistryContentType>;
  connections: RedisConnections;
  /** The full key prefix of the cache's namespace-less root, e.g. `test:cache:ab12cd34:cache:`. */
  root: string;
  /** The Redis key prefix, to build another "process" on the same keys. */
  prefix: string;
  log: ReturnType<typeof memoryLogger>;
}

export interface TestCacheRedis extends TopologyRedis {
  /**
   * A cache on its own prefix and registry; closed after the test. Its `operationTimeoutMs` is
   * TEST_OPERATION_TIMEOUT_MS unless `options` sets one.
   */
  newCache(options?: CacheOptions, extra?: { prefix?: string; bus?: boolean }): TestCache;
}

/**
 * The Redis of the run's topology (`useRedis()` of @rnh/test-utils: one server, a Cluster or a
 * Sentinel group), plus a factory of caches cleaned up after each test.
 */
export function useTestRedis(): TestCacheRedis {
  const base = useRedis();
  // Inherits the fixture's getters: its Redis exists only once its beforeAll has run.
  return Object.assign(Object.create(base) as TopologyRedis, {
    newCache(options: CacheOptions = {}, extra: { prefix?: string; bus?: boolean } = {}): TestCache {
      const log = memoryLogger();
      const prefix = extra.prefix ?? uniquePrefix('cache');
      const connections = testConnections(base.target, { keyPrefix: prefix, logger: log.logger });
      base.cleanup.push(() => connections.close());
      const registry = new Registry();
      const keys = connections.keys.child('cache');
      const cache = new Cache(
        {
          redis: connections.shared('commands'),
          keys,
          logger: log.logger,
          registry,
          subscriber: extra.bus ? connections.shared('subscriber') : undefined,
        },
        { operationTimeoutMs: TEST_OPERATION_TIMEOUT_MS, ...options },
      );
      base.cleanup.push(() => cache.close());
      return { cache, registry, connections, root: keys.prefix, prefix, log };
    },
  });
}

export { memoryLogger };

export { metricValue, recordSpans } from '@rnh/test-utils';
