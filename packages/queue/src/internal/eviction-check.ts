import { connectRedis, isCluster, type Logger, type RedisClient } from '@rnh/redis-client';
import type { Redis } from 'ioredis';
import { DEFAULT_CONNECT_TIMEOUT_MS } from '../defaults.js';

export interface EvictionPolicyCheck {
  /** `noeviction` on every node; false when a node has another policy or could not be read. */
  ok: boolean;
  nodes: Array<{ node: string; policy: string | undefined; source: 'config' | 'info' | 'unknown' }>;
}

export interface EvictionPolicyCheckOptions {
  /**
   * How long to wait for a cluster client that is still connecting: its masters are known only
   * once it has read the slot table (default 10 000 ms).
   */
  connectTimeoutMs?: number;
}

/**
 * BullMQ needs `maxmemory-policy noeviction`: any other policy lets Redis drop
 * queue keys (jobs, locks) under memory pressure. Reads the policy with CONFIG GET,
 * or from INFO where CONFIG is disabled (managed Redis), on every master of a
 * cluster, and logs a warning for each node that is not `noeviction`. Never throws.
 */
export async function checkEvictionPolicy(
  redis: RedisClient,
  logger: Logger,
  options: EvictionPolicyCheckOptions = {},
): Promise<EvictionPolicyCheck> {
  const nodes = await mastersOf(redis, options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS);
  if (nodes.length === 0) {
    logger.info(
      { status: redis.status },
      'could not read the Redis maxmemory-policy (the cluster client knows no master: not connected)',
    );
    return { ok: false, nodes: [] };
  }
  const results = await Promise.all(
    nodes.map(async (node) => ({ node: nodeName(node), ...(await policyOf(node)) })),
  );
  for (const result of results) {
    if (result.policy === undefined) {
      logger.info(
        { node: result.node },
        'could not read the Redis maxmemory-policy (CONFIG and INFO refused)',
      );
    } else if (result.policy !== 'noeviction') {
      logger.warn(
        { node: result.node, maxmemoryPolicy: result.policy },
        `Redis maxmemory-policy is "${result.policy}", not "noeviction": under memory pressure Redis may evict queue keys and lose jobs`,
      );
    }
  }
  return { ok: results.every((result) => result.policy === 'noeviction'), nodes: results };
}

async function policyOf(
  node: Redis,
): Promise<{ policy: string | undefined; source: 'config' | 'info' | 'unknown' }> {
  try {
    const reply = (await node.config('GET', 'maxmemory-policy')) as unknown;
    const policy = Array.isArray(reply) ? reply[1] : undefined;
    if (typeof policy === 'string' && policy) return { policy, source: 'config' };
  } catch {
    // CONFIG renamed, disabled or refused by an ACL: fall back to INFO
  }
  try {
    const info = await node.info('memory');
    const match = /^maxmemory_policy:(\S+)/m.exec(info);
    if (match) return { policy: match[1], source: 'info' };
  } catch {
    // INFO refused as well
  }
  return { policy: undefined, source: 'unknown' };
}

/**
 * The nodes to ask. A cluster client lists its masters only once it has read the slot table, so
 * a client that is still connecting (a worker's new connection) is waited for; one that does not
 * get there in time has none to list.
 */
async function mastersOf(redis: RedisClient, timeoutMs: number): Promise<Redis[]> {
  if (!isCluster(redis)) return [redis];
  if (redis.status !== 'ready') await connectRedis(redis, { timeoutMs }).catch(() => undefined);
  return redis.nodes('master');
}

function nodeName(node: Redis): string {
  return `${node.options.host ?? '?'}:${node.options.port ?? '?'}`;
}
