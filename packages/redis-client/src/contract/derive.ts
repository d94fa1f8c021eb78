import type { Cluster, ClusterOptions, Redis, RedisOptions as IORedisOptions } from 'ioredis';
import { roleProfile } from '../connection/profiles.js';
import type { RedisClient } from '../types.js';

/**
 * A new connection to the same server as the user's `client`, with the settings
 * of a role: `producer` fails fast (no offline queue, one retry), `worker` never
 * gives up on a blocking command (`maxRetriesPerRequest: null`, as BullMQ requires).
 * The caller owns (and closes) the copy; the user's client is left as it is.
 */
export function duplicateForRole(client: RedisClient, role: 'producer' | 'worker'): RedisClient {
  const profile = roleProfile(role, { maxRetriesPerRequest: 1 });
  const roleSettings = {
    enableOfflineQueue: profile.enableOfflineQueue,
    enableAutoPipelining: profile.enableAutoPipelining,
  };
  if ((client as { isCluster?: boolean }).isCluster === true) {
    const cluster = client as Cluster;
    const options: ClusterOptions & { maxRetriesPerRequest: number | null } = {
      ...roleSettings,
      redisOptions: { ...cluster.options.redisOptions, maxRetriesPerRequest: profile.maxRetriesPerRequest },
      // Not a ClusterOptions field in the typings, but BullMQ inspects it on the client it is given.
      maxRetriesPerRequest: profile.maxRetriesPerRequest,
    };
    return cluster.duplicate(undefined, options);
  }
  const options: Partial<IORedisOptions> = {
    ...roleSettings,
    maxRetriesPerRequest: profile.maxRetriesPerRequest,
  };
  return (client as Redis).duplicate(options);
}
