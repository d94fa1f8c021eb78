import type { RedisClient } from '@rnh/redis-client';
import type { Cluster, Redis } from 'ioredis';

function isCluster(client: RedisClient): client is Cluster {
  return (client as { isCluster?: boolean }).isCluster === true;
}

/** The nodes a SCAN must visit: the client itself, or every master of a cluster. */
export function scanTargets(client: RedisClient): Redis[] {
  return isCluster(client) ? client.nodes('master') : [client];
}

/**
 * UNLINKs one SCAN batch. On a cluster the keys of one batch can sit in different
 * slots (a multi-key UNLINK would be CROSSSLOT), so each key is its own UNLINK,
 * auto-pipelined per node.
 */
export async function unlinkBatch(client: RedisClient, keys: string[]): Promise<number> {
  if (keys.length === 0) return 0;
  if (!isCluster(client)) return client.unlink(...keys);
  const counts = await Promise.all(keys.map((key) => client.unlink(key)));
  return counts.reduce((sum, n) => sum + n, 0);
}
