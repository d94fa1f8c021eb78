// Plain ioredis clients on the run's topology: one for a test to hand to a library the way a user
// would (a `Redis` or a `Cluster`), and one per master for the node-level commands (CONFIG, INFO,
// CLIENT PAUSE) that act on a single server.
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { TopologyRedis, TopologyTarget } from './use-redis.js';

/**
 * A new client of `target` as a user would build it: `new Redis({ host, port })` for a server,
 * `new Cluster(nodes)` for a cluster, `new Redis({ sentinels, name })` behind a Sentinel.
 * `options` apply to each connection (on a cluster, to every node's). The caller closes it.
 */
export function topologyClient(target: TopologyTarget, options: RedisOptions = {}): Redis | Cluster {
  if ('nodes' in target)
    return new Cluster(
      target.nodes.map(({ host, port }) => ({ host, port })),
      { redisOptions: options },
    );
  if ('masterName' in target)
    return new Redis({
      ...options,
      sentinels: [{ host: target.host, port: target.port }],
      name: target.masterName,
    });
  return new Redis({ ...options, host: target.host, port: target.port });
}

/**
 * One client per master of `redis`: the cluster's node admins, or the client of the one master
 * (standalone, or the master behind Sentinel). For commands whose effect is per server, such as
 * CONFIG SET, CLIENT PAUSE or reading INFO counters to sum them.
 */
export function masterClients(redis: TopologyRedis): Redis[] {
  if (redis.topology === 'cluster') return redis.cluster!.admins;
  return [redis.admin as Redis];
}
