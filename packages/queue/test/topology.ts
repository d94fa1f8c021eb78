// Plain ioredis clients on the run's topology: one to hand to the queue the way a user would (a
// `Redis` or a `Cluster`), or to BullMQ directly, and one per master for the node commands
// (CONFIG SET, CLIENT PAUSE) that act on a single server.
import type { TopologyRedis, TopologyTarget } from '@rnh/test-utils';
import { Cluster, Redis, type RedisOptions } from 'ioredis';

/**
 * A new client of `target` (`useRedis().target`) as a user would build it: `new Redis()` for a
 * server, `new Cluster(nodes)` for a cluster, `new Redis({ sentinels, name })` behind a Sentinel.
 * `options` apply to every connection (on a cluster, to each node's). The caller closes it.
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

/** A client of every master: the one server, each master of the Cluster, or the master behind Sentinel. */
export function masterClients(redis: Pick<TopologyRedis, 'topology' | 'admin' | 'cluster'>): Redis[] {
  if (redis.topology === 'cluster') return redis.cluster!.admins;
  return [redis.admin as Redis];
}
