import {
  closeRedis,
  duplicateForRole,
  toKeyspace,
  type Keyspace,
  type RedisClient,
  type RedisConnections,
} from '@rnh/redis-client';
import { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_KEY_PREFIX } from '../defaults.js';
import type { QueueDeps } from '../types.js';

/**
 * The connections BullMQ needs, from whatever the user gave as `redis`:
 * - a `RedisConnections`: its shared `producer` role and a new `worker` role per worker;
 * - their own ioredis client: duplicates of it with the role's settings (the user's
 *   client itself is never used by BullMQ, nor closed).
 */
export interface QueueRedis {
  /** The queue's keyspace (BullMQ's prefix is built from it). */
  readonly keys: Keyspace;
  readonly connectTimeoutMs: number;
  /** The fail-fast connection a producer enqueues on (the same one on every call). */
  producer(): RedisClient;
  /** A new blocking connection for one BullMQ worker; the worker closes it. */
  worker(pool: string): RedisClient;
  /** Closes the producer connection when it was made here (a RedisConnections closes its own). */
  closeProducer(): Promise<void>;
}

export function queueRedis(deps: QueueDeps): QueueRedis {
  const redis = deps.redis;
  if (isConnections(redis)) {
    return {
      keys: toKeyspace(deps.keys, redis.keys.child('queue').prefix),
      connectTimeoutMs: redis.options.connectTimeoutMs,
      producer: () => redis.shared('producer'),
      worker: (pool) => redis.create('worker', pool),
      closeProducer: async () => undefined,
    };
  }
  let producer: RedisClient | undefined;
  return {
    keys: toKeyspace(deps.keys, DEFAULT_KEY_PREFIX),
    connectTimeoutMs: DEFAULT_CONNECT_TIMEOUT_MS,
    producer: () => (producer ??= duplicateForRole(redis, 'producer')),
    worker: () => duplicateForRole(redis, 'worker'),
    closeProducer: async () => {
      if (producer) await closeRedis(producer);
    },
  };
}

/** Duck-typed, so a second copy of @rnh/redis-client in node_modules still works. */
function isConnections(redis: QueueDeps['redis']): redis is RedisConnections {
  const candidate = redis as Partial<RedisConnections>;
  return typeof candidate.shared === 'function' && typeof candidate.create === 'function';
}
