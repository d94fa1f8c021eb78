import type { RedisConnections } from '@rnh/redis-client';
import { testConnections } from '@rnh/test-connections';
import {
  memoryLogger,
  scanKeys,
  topologyClient,
  uniquePrefix,
  useRedis,
  type TopologyRedis,
  type TopologyTarget,
} from '@rnh/test-utils';
import { Queue } from 'bullmq';
import type { Cluster, Redis } from 'ioredis';
import { Registry, type RegistryContentType } from 'prom-client';
import {
  QueueProducer,
  QueueWorker,
  type JobDefinitions,
  type QueueDefinition,
  type QueueDeps,
  type QueueProducerOptions,
  type QueueWorkerOptions,
} from '../src/index.js';

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Short intervals so stalls, sweeps and shutdowns happen within a test's time. */
export const FAST_WORKER = {
  lockDurationMs: 2000,
  stalledIntervalMs: 1000,
  deadLetterSweepMs: 500,
  shutdownTimeoutMs: 5000,
} as const;

export interface QueueSetup {
  deps: QueueDeps;
  connections: RedisConnections;
  registry: Registry<RegistryContentType>;
  log: ReturnType<typeof memoryLogger>;
  /** The Redis key prefix of this setup (REDIS_KEY_PREFIX), e.g. `test:queue:ab12cd34:`. */
  prefix: string;
  producer<J extends JobDefinitions>(
    definition: QueueDefinition<J>,
    options?: QueueProducerOptions,
  ): QueueProducer<J>;
  /** A worker with FAST_WORKER settings unless overridden; started. */
  worker<J extends JobDefinitions>(
    definition: QueueDefinition<J>,
    options: QueueWorkerOptions<J>,
  ): Promise<QueueWorker<J>>;
  /** A plain BullMQ Queue on the same keys (its own connection), to check what BullMQ itself says. */
  inspect(definition: QueueDefinition): Queue;
}

export interface QueueRedis extends TopologyRedis {
  /** Connections, registry and logger on a fresh key prefix; everything closed after the test. */
  setup(prefix?: string): QueueSetup;
}

/**
 * The Redis of the run's topology (`useRedis()` of @rnh/test-utils: one server, a Cluster or a
 * Sentinel group), plus producers and workers cleaned up after each test.
 */
export function useQueueRedis(): QueueRedis {
  const base = useRedis();
  // Inherits the fixture's getters: its Redis exists only once its beforeAll has run.
  return Object.assign(Object.create(base) as TopologyRedis, {
    setup(prefix = uniquePrefix('queue')): QueueSetup {
      return setupQueue(base.target, base.cleanup, prefix);
    },
  });
}

/**
 * Connections, registry and logger for queues on `target` (a server's address, a cluster's
 * nodes or a Sentinel) under a key prefix; what it makes is closed by `cleanup` (run it after the
 * test). Two setups with the same prefix on two servers see the same queues, e.g. a server and
 * the one its backup was restored into.
 */
export function setupQueue(
  target: TopologyTarget,
  cleanup: Array<() => Promise<void> | void>,
  prefix = uniquePrefix('queue'),
): QueueSetup {
  const log = memoryLogger();
  const connections = testConnections(target, { keyPrefix: prefix, logger: log.logger });
  cleanup.push(() => connections.close());
  const registry = new Registry();
  const deps: QueueDeps = { redis: connections, logger: log.logger, registry };
  return {
    deps,
    connections,
    registry,
    log,
    prefix,
    producer(definition, producerOptions) {
      const producer = new QueueProducer(deps, definition, producerOptions);
      cleanup.push(() => producer.close());
      return producer;
    },
    async worker(definition, workerOptions) {
      const worker = new QueueWorker(deps, definition, { ...FAST_WORKER, ...workerOptions });
      cleanup.push(() => worker.close({ timeoutMs: 2000 }).then(() => undefined));
      await worker.start();
      return worker;
    },
    inspect(definition) {
      const client = topologyClient(target, { maxRetriesPerRequest: null });
      const queue = new Queue(definition.name, {
        connection: client,
        prefix: `${prefix}queue:{${definition.name}}`,
      });
      cleanup.push(async () => {
        await queue.close();
        await client.quit();
      });
      return queue;
    },
  };
}

/** Every key under `prefix` (SCAN on every master, never KEYS), sorted. */
export function keysUnder(admin: Redis | Cluster, prefix: string): Promise<string[]> {
  return scanKeys(admin, `${prefix}*`);
}

export { metricValue, recordSpans } from '@rnh/test-utils';
