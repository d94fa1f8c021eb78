import { isCluster } from '../connection/client-info.js';
import type { RedisClient } from '../types.js';

/**
 * Publishes `message` where a ChannelRouter on the same kind of client listens: SPUBLISH on a
 * Redis Cluster (the message goes to the shard that owns the channel's slot, not to every
 * node), PUBLISH otherwise. Resolves with how many subscribers received it (on that shard).
 */
export async function publishTo(
  redis: RedisClient,
  channel: string,
  message: string | Buffer,
): Promise<number> {
  if (isCluster(redis)) return Number(await redis.spublish(channel, message));
  return redis.publish(channel, message);
}

/** The command a Lua script publishes with on `redis`: SPUBLISH on a Cluster (the channel must hash to the script's slot). */
export function publishCommandFor(redis: RedisClient): 'PUBLISH' | 'SPUBLISH' {
  return isCluster(redis) ? 'SPUBLISH' : 'PUBLISH';
}
