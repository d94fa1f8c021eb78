import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RedisClient, RedisConnections } from '@rnh/redis-client';
import { testConnections } from '@rnh/test-connections';
import {
  commandCalls as callsPerCommand,
  memoryLogger,
  uniquePrefix,
  useRedis,
  type TopologyRedis,
} from '@rnh/test-utils';
import type { Express } from 'express';
import type { Cluster, Redis } from 'ioredis';
import { Registry, type RegistryContentType } from 'prom-client';
import { RateLimiter, type RateLimiterOptions } from '../src/index.js';

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Redis's clock in ms (the limiter's clock). */
export async function redisNowMs(client: Redis | Cluster | RedisClient): Promise<number> {
  const [seconds, micros] = await client.time();
  return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
}

/**
 * For epoch-aligned windows (sliding window): waits until at least `marginMs` of the
 * current window are left, so a burst of requests stays inside one window.
 */
export async function awayFromBoundary(
  client: Redis | Cluster,
  windowMs: number,
  marginMs: number,
): Promise<void> {
  const now = await redisNowMs(client);
  const left = windowMs - (now % windowMs);
  if (left < marginMs) await sleep(left + 20);
}

/** Calls of one command so far, e.g. `evalsha` (INFO commandstats, summed over every master of a Cluster). */
export async function commandCalls(redis: TopologyRedis, command: string): Promise<number> {
  return (await callsPerCommand(redis)).get(command) ?? 0;
}

/**
 * The limiter's Redis timeout in tests that are not about timeouts. Production's 250 ms is a
 * latency budget for a healthy server; on a busy test machine an answer can take longer, and the
 * limiter would then fail open or closed instead of deciding. Tests of the failure paths set their own.
 */
export const TEST_TIMEOUT_MS = 10_000;

export interface TestLimiter {
  limiter: RateLimiter;
  registry: Registry<RegistryContentType>;
  connections: RedisConnections;
  prefix: string;
  log: ReturnType<typeof memoryLogger>;
}

export interface TestLimiterRedis extends TopologyRedis {
  /**
   * A limiter on its own connection, prefix and registry (unless given); closed after the test.
   * Its `operationTimeoutMs` is TEST_TIMEOUT_MS unless `options` sets one.
   */
  newLimiter(
    options: RateLimiterOptions,
    extra?: { prefix?: string; registry?: Registry<RegistryContentType> },
  ): TestLimiter;
  /** A RedisConnections on the run's Redis, closed after the test. */
  newConnections(prefix: string, log?: ReturnType<typeof memoryLogger>): RedisConnections;
}

/**
 * The Redis of the run's topology (`useRedis()` of @rnh/test-utils: one server, a Cluster or a
 * Sentinel group), plus limiters and connections cleaned up after each test.
 */
export function useTestRedis(): TestLimiterRedis {
  const base = useRedis();
  const newConnections = (prefix: string, log = memoryLogger()) => {
    const connections = testConnections(base.target, { keyPrefix: prefix, logger: log.logger });
    base.cleanup.push(() => connections.close());
    return connections;
  };
  // Inherits the fixture's getters: its Redis exists only once its beforeAll has run.
  return Object.assign(Object.create(base) as TopologyRedis, {
    newConnections,
    newLimiter(
      options: RateLimiterOptions,
      extra: { prefix?: string; registry?: Registry<RegistryContentType> } = {},
    ): TestLimiter {
      const log = memoryLogger();
      const prefix = extra.prefix ?? uniquePrefix('rl');
      const connections = newConnections(prefix, log);
      const registry = extra.registry ?? new Registry();
      const limiter = new RateLimiter(
        {
          redis: connections.shared('commands'),
          keys: connections.keys.child('ratelimit'),
          logger: log.logger,
          registry,
        },
        { operationTimeoutMs: TEST_TIMEOUT_MS, ...options },
      );
      return { limiter, registry, connections, prefix, log };
    },
  });
}

/** Listens on a free port; `close()` ends keep-alive connections too. */
export async function listen(app: Express): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export { memoryLogger, uniquePrefix };

export { metricValue, recordSpans, scanKeys } from '@rnh/test-utils';
