import { Writable } from 'node:stream';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { defaultRedisOptions, RedisConnections, type Logger } from '@rnh/redis-client';
import { startRedisServer, uniquePrefix, type RedisServerHandle } from '@rnh/test-utils';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { Registry, type RegistryContentType } from 'prom-client';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { Cache, type CacheOptions } from '../src/index.js';

/** A real pino logger writing JSON lines into memory, so tests see exactly what would be logged. */
export function memoryLogger(): { logger: Logger; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), text: () => chunks.join('') };
}

/** The value of one series (after the metric's collect()), or 0 when absent. */
export async function metricValue(
  registry: Registry<RegistryContentType>,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return 0;
  const { values } = await metric.get();
  const match = values.find(
    (value) =>
      Object.entries(labels).every(
        ([key, expected]) => String((value.labels as Record<string, unknown>)[key]) === expected,
      ) &&
      // For histograms, the _count series.
      (!('metricName' in value) || String(value.metricName).endsWith('_count') || value.metricName === name),
  );
  return match?.value ?? 0;
}

/** In-memory spans: a BasicTracerProvider and an AsyncLocalStorage context manager, registered globally for this file. */
export function recordSpans(): InMemorySpanExporter {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(provider);
  return exporter;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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

export interface TestRedis {
  readonly server: RedisServerHandle;
  /** A plain client for looking at (and poisoning) what the cache stored. */
  readonly admin: Redis;
  /** A cache on its own prefix and registry; closed after the test. */
  newCache(options?: CacheOptions, extra?: { prefix?: string; bus?: boolean }): TestCache;
}

/** One real redis-server for the test file, an admin client on it, and per-test caches cleaned up after each test. */
export function useRedisServer(): TestRedis {
  const state: { server?: RedisServerHandle; admin?: Redis; cleanup: Array<() => Promise<void>> } = {
    cleanup: [],
  };
  beforeAll(async () => {
    state.server = await startRedisServer();
    state.admin = new Redis({ host: state.server.host, port: state.server.port });
    // Tests that stop the server make this client fail too; that is expected.
    state.admin.on('error', () => undefined);
  });
  afterEach(async () => {
    for (const step of state.cleanup.splice(0).reverse()) await step();
  });
  afterAll(async () => {
    await state.admin?.quit();
    await state.server?.destroy();
  });
  return {
    get server() {
      return state.server!;
    },
    get admin() {
      return state.admin!;
    },
    newCache(options = {}, extra = {}) {
      const log = memoryLogger();
      const prefix = extra.prefix ?? uniquePrefix('cache');
      const connections = new RedisConnections({
        options: defaultRedisOptions({
          host: state.server!.host,
          port: state.server!.port,
          keyPrefix: prefix,
          retryDelayMs: 20,
          maxRetryDelayMs: 200,
          connectTimeoutMs: 2000,
        }),
        logger: log.logger,
      });
      state.cleanup.push(() => connections.close());
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
        options,
      );
      state.cleanup.push(() => cache.close());
      return { cache, registry, connections, root: keys.prefix, prefix, log };
    },
  };
}
