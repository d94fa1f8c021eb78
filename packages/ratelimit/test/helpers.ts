import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { defaultRedisOptions, RedisConnections, type RedisClient } from '@rnh/redis-client';
import {
  memoryLogger,
  uniquePrefix,
  useRedisServer as useSharedRedisServer,
  type TestRedis,
} from '@rnh/test-utils';
import type { Express } from 'express';
import type { Redis } from 'ioredis';
import { Registry, type RegistryContentType } from 'prom-client';
import { RateLimiter, type RateLimiterOptions } from '../src/index.js';

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Redis's clock in ms (the limiter's clock). */
export async function redisNowMs(client: Redis | RedisClient): Promise<number> {
  const [seconds, micros] = await client.time();
  return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
}

/**
 * For epoch-aligned windows (sliding window): waits until at least `marginMs` of the
 * current window are left, so a burst of requests stays inside one window.
 */
export async function awayFromBoundary(client: Redis, windowMs: number, marginMs: number): Promise<void> {
  const now = await redisNowMs(client);
  const left = windowMs - (now % windowMs);
  if (left < marginMs) await sleep(left + 20);
}

/** Calls of one command on the server so far (INFO commandstats), e.g. `evalsha`. */
export async function commandCalls(admin: Redis, command: string): Promise<number> {
  const info = await admin.info('commandstats');
  const match = new RegExp(`^cmdstat_${command}:calls=(\\d+)`, 'm').exec(info);
  return match ? Number(match[1]) : 0;
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

export interface TestLimiterRedis extends TestRedis {
  /**
   * A limiter on its own connection, prefix and registry (unless given); closed after the test.
   * Its `operationTimeoutMs` is TEST_TIMEOUT_MS unless `options` sets one.
   */
  newLimiter(
    options: RateLimiterOptions,
    extra?: { prefix?: string; registry?: Registry<RegistryContentType> },
  ): TestLimiter;
  /** A RedisConnections on the test server, closed after the test. */
  newConnections(prefix: string, log?: ReturnType<typeof memoryLogger>): RedisConnections;
}

/** The shared redis-server fixture of @rnh/test-utils, plus limiters cleaned up after each test. */
export function useRedisServer(): TestLimiterRedis {
  const base = useSharedRedisServer();
  const newConnections = (prefix: string, log = memoryLogger()) => {
    const connections = new RedisConnections({
      options: defaultRedisOptions({
        host: base.server.host,
        port: base.server.port,
        keyPrefix: prefix,
        retryDelayMs: 20,
        maxRetryDelayMs: 200,
        connectTimeoutMs: 2000,
      }),
      logger: log.logger,
    });
    base.cleanup.push(() => connections.close());
    return connections;
  };
  return {
    get server() {
      return base.server;
    },
    get admin() {
      return base.admin;
    },
    cleanup: base.cleanup,
    newConnections,
    newLimiter(options, extra = {}) {
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
  };
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
