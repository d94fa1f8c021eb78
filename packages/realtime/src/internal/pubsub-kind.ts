import { isCluster } from '@rnh/redis-client';
import { RealtimeArgumentError } from '../errors.js';
import type { RealtimeDeps } from '../types.js';

/**
 * On a Cluster messages are published with SPUBLISH and received with SSUBSCRIBE, elsewhere with
 * PUBLISH and SUBSCRIBE: a Cluster publisher with a plain subscriber (or the reverse) would never
 * hear a thing, so that mix is refused at construction.
 */
export function checkPubSubPair(deps: Pick<RealtimeDeps, 'redis' | 'subscriber'>): void {
  if (isCluster(deps.redis) !== isCluster(deps.subscriber)) {
    throw new RealtimeArgumentError(
      '`redis` and `subscriber` must both be Redis Cluster clients, or neither (on a Cluster, messages go by SPUBLISH/SSUBSCRIBE)',
    );
  }
}
