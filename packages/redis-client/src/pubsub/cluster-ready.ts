import type { Cluster } from 'ioredis';
import { RedisConnectionError } from '../errors.js';

/**
 * Resolves once the Cluster client is ready (connecting it if it never started): before, it knows
 * no slot and no master. Rejects if the client ends first.
 */
export function clusterReady(cluster: Cluster): Promise<void> {
  if (cluster.status === 'ready') return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const settle = () => {
      cluster.off('ready', onReady);
      cluster.off('end', onEnd);
    };
    const onReady = () => {
      settle();
      resolve();
    };
    const onEnd = () => {
      settle();
      reject(new RedisConnectionError('the Redis Cluster connection ended'));
    };
    cluster.on('ready', onReady);
    cluster.on('end', onEnd);
    if (cluster.status === 'wait') cluster.connect().catch(() => undefined);
  });
}
