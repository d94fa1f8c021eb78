import type { RedisOptions, RedisRole } from '../types.js';

export interface RoleProfile {
  enableAutoPipelining: boolean;
  enableOfflineQueue: boolean;
  /** `null` = retry forever (BullMQ workers must not drop blocking commands). */
  maxRetriesPerRequest: number | null;
}

/** The per-role ioredis settings; see RedisRole for why each differs. */
export function roleProfile(
  role: RedisRole,
  options: Pick<RedisOptions, 'maxRetriesPerRequest'>,
): RoleProfile {
  switch (role) {
    case 'commands':
      return {
        enableAutoPipelining: true,
        enableOfflineQueue: true,
        maxRetriesPerRequest: options.maxRetriesPerRequest,
      };
    case 'subscriber':
      // Auto-pipelining would batch (P)SUBSCRIBE with other commands on a connection in subscriber mode.
      return {
        enableAutoPipelining: false,
        enableOfflineQueue: true,
        maxRetriesPerRequest: options.maxRetriesPerRequest,
      };
    case 'producer':
      // Fail fast: an enqueue that cannot reach Redis must error now (503), not wait in a queue.
      return {
        enableAutoPipelining: false,
        enableOfflineQueue: false,
        maxRetriesPerRequest: Math.min(1, options.maxRetriesPerRequest),
      };
    case 'worker':
      return { enableAutoPipelining: false, enableOfflineQueue: true, maxRetriesPerRequest: null };
  }
}
