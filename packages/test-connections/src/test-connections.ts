// The RedisConnections of a test: pointed at a redis-server, Cluster or Sentinel that
// @rnh/test-utils started, with settings for a test instead of production's. This lives in its
// own package because @rnh/redis-client's tests use @rnh/test-utils: test-utils depending on
// redis-client would make a cycle.
import {
  defaultRedisOptions,
  RedisConnections,
  silentLogger,
  type RedisConnectionsDeps,
  type RedisOptions,
} from '@rnh/redis-client';
import { uniquePrefix } from '@rnh/test-utils';
import { redisModeOf, type TestRedisTarget } from './redis-mode.js';

/** Any Redis option (`keyPrefix`, `password`, …) and the other dependencies of RedisConnections. */
export interface TestConnectionsOptions
  extends Partial<RedisOptions>, Partial<Omit<RedisConnectionsDeps, 'options'>> {}

/** What a test gets unless it says otherwise, and why it differs from production's defaults. */
const TEST_SETTINGS = {
  // A test that restarts or kills its server sees the clients back within a fraction of a
  // second, not after production's backoff of up to 5 s.
  retryDelayMs: 20,
  maxRetryDelayMs: 200,
  // Long enough for a busy 2-core machine running several suites; a server that is really
  // gone still fails the test in seconds.
  connectTimeoutMs: 5000,
} as const satisfies Partial<RedisOptions>;

/**
 * `new RedisConnections(...)` for a test: its own key prefix (`uniquePrefix()`), a silent logger
 * unless `logger` is given, quick reconnects and a connect timeout with room for a loaded
 * machine. Nothing connects until used; the test closes it (`await connections.close()`).
 */
export function testConnections(
  target: TestRedisTarget,
  options: TestConnectionsOptions = {},
): RedisConnections {
  const { logger = silentLogger(), registry, serverInfoCacheMs, ...redisOptions } = options;
  return new RedisConnections({
    options: defaultRedisOptions({
      ...redisModeOf(target),
      keyPrefix: uniquePrefix('conn'),
      ...TEST_SETTINGS,
      ...redisOptions,
    }),
    logger,
    registry,
    serverInfoCacheMs,
  });
}
