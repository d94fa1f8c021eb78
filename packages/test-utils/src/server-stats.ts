// What the masters of a test's topology ran, as the servers count it (INFO commandstats, which
// also counts the commands a Lua script runs), so a test about a request's cost in Redis holds on
// one server, on a Cluster (summed over its masters) and behind Sentinel (the master).
import type { Redis } from 'ioredis';
import type { TopologyRedis } from './use-redis.js';

/**
 * Commands the topology sends by itself, whatever the code under test does: Cluster clients
 * re-read the slot table (CLUSTER SLOTS), a replica acknowledges its offset (REPLCONF), a
 * Sentinel probes the master (PING, INFO) and announces itself on it (PUBLISH to
 * `__sentinel__:hello`), and counting reads INFO. A count of "what this request cost" leaves them out.
 */
export const TOPOLOGY_BACKGROUND_COMMANDS: ReadonlySet<string> = new Set([
  'cluster',
  'info',
  'ping',
  'publish',
  'replconf',
]);

/** A client of every master: the one server, each master of the Cluster, or the master behind Sentinel. */
export function masterClients(redis: Pick<TopologyRedis, 'topology' | 'admin' | 'cluster'>): Redis[] {
  if (redis.topology === 'cluster') {
    if (!redis.cluster) throw new Error('masterClients(): the cluster topology has no cluster handle');
    return redis.cluster.admins;
  }
  return [redis.admin as Redis];
}

/** Calls so far per command (lower case, e.g. `mget`, `evalsha`), summed over every master. */
export async function commandCalls(
  redis: Pick<TopologyRedis, 'topology' | 'admin' | 'cluster'>,
): Promise<Map<string, number>> {
  const calls = new Map<string, number>();
  for (const node of masterClients(redis)) {
    const info = await node.info('commandstats');
    for (const match of info.matchAll(/^cmdstat_([^:\s]+):calls=(\d+)/gm)) {
      const command = match[1]!.toLowerCase();
      calls.set(command, (calls.get(command) ?? 0) + Number(match[2]));
    }
  }
  return calls;
}
