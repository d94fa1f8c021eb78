// Acting on the masters of the run's topology, and a plain ioredis client on it, for tests that
// look past the client under test: CONFIG RESETSTAT on every master (each Cluster master counts
// only its own slots' commands; see commandCalls), and the client a user of the packages builds.
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { masterClients } from './server-stats.js';
import type { TopologyRedis, TopologyTarget } from './use-redis.js';

/** CONFIG RESETSTAT on every master: `commandCalls` counts from here. */
export async function resetCommandStats(
  redis: Pick<TopologyRedis, 'topology' | 'admin' | 'cluster'>,
): Promise<void> {
  await Promise.all(masterClients(redis).map((node) => node.config('RESETSTAT')));
}

/**
 * A plain ioredis client of the topology at `target` (`useRedis().target`): `new Redis()` for a
 * server, `new Cluster()` for a cluster, a Sentinel client of the master for a Sentinel. `options`
 * apply to every connection (a `keyPrefix` to the Cluster client's commands). The caller closes it.
 */
export function topologyClient(target: TopologyTarget, options: RedisOptions = {}): Redis | Cluster {
  const settings: RedisOptions = { connectTimeout: 10_000, ...options };
  if ('nodes' in target)
    // ioredis takes the Cluster client's keyPrefix from its nodes' options.
    return new Cluster(
      target.nodes.map(({ host, port }) => ({ host, port })),
      { redisOptions: settings },
    );
  if ('masterName' in target)
    return new Redis({
      ...settings,
      sentinels: [{ host: target.host, port: target.port }],
      name: target.masterName,
    });
  return new Redis({ ...settings, host: target.host, port: target.port });
}
