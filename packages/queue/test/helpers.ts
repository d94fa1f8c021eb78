import { defaultRedisOptions, RedisConnections } from '@rnh/redis-client';
import {
  memoryLogger,
  uniquePrefix,
  useRedisServer as useSharedRedisServer,
  type RedisServerHandle,
  type StartRedisServerOptions,
  type TestRedis,
} from '@rnh/test-utils';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
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

export interface QueueRedis extends TestRedis {
  /** Connections, registry and logger on a fresh key prefix; everything closed after the test. */
  setup(prefix?: string): QueueSetup;
}

/** The shared redis-server fixture of @rnh/test-utils, plus producers and workers cleaned up after each test. */
export function useQueueRedis(options: StartRedisServerOptions = {}): QueueRedis {
  const base = useSharedRedisServer(options);
  return {
    get server() {
      return base.server;
    },
    get admin() {
      return base.admin;
    },
    cleanup: base.cleanup,
    setup(prefix = uniquePrefix('queue')) {
      return setupQueue(base.server, base.cleanup, prefix);
    },
  };
}

/**
 * Connections, registry and logger for queues on `server` under a key prefix; what it makes is
 * closed by `cleanup` (run it after the test). Two setups with the same prefix on two servers
 * see the same queues, e.g. a server and the one its backup was restored into.
 */
export function setupQueue(
  server: Pick<RedisServerHandle, 'host' | 'port'>,
  cleanup: Array<() => Promise<void> | void>,
  prefix = uniquePrefix('queue'),
): QueueSetup {
  const log = memoryLogger();
  const connections = new RedisConnections({
    options: defaultRedisOptions({
      host: server.host,
      port: server.port,
      keyPrefix: prefix,
      retryDelayMs: 20,
      maxRetryDelayMs: 200,
      connectTimeoutMs: 2000,
    }),
    logger: log.logger,
  });
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
      const client = new Redis({ host: server.host, port: server.port, maxRetriesPerRequest: null });
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

/** Every key under `prefix` (SCAN, never KEYS), sorted. */
export async function keysUnder(admin: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await admin.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return keys.sort();
}

export { metricValue, recordSpans } from '@rnh/test-utils';
