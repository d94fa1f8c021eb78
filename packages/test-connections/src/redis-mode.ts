// The connection mode of a test's Redis, from where @rnh/test-utils started it. Its own module
// (`@rnh/test-connections/redis-mode`) imports nothing of the test tools, so a child process of a
// test can use it without loading Vitest.
import type { HostPort, RedisOptions } from '@rnh/redis-client';

interface SentinelTarget extends HostPort {
  readonly masterName: string;
}

/**
 * Where the test's Redis is: a server (`startRedisServer()`, `useRedisServer().server`), a
 * cluster (`startRedisCluster()`, or any `{ nodes }`) or a Sentinel (`startRedisSentinel()`).
 */
export type TestRedisTarget = HostPort | { readonly nodes: readonly HostPort[] } | SentinelTarget;

/** The `mode` and addresses of RedisOptions for `target`. */
export function redisModeOf(target: TestRedisTarget): Partial<RedisOptions> {
  if ('nodes' in target)
    return { mode: 'cluster', clusterNodes: target.nodes.map(({ host, port }) => ({ host, port })) };
  if ('masterName' in target)
    return {
      mode: 'sentinel',
      sentinels: [{ host: target.host, port: target.port }],
      sentinelName: target.masterName,
    };
  return { mode: 'standalone', host: target.host, port: target.port };
}
