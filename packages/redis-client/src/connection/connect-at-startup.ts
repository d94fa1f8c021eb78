import { RedisAuthError } from '../errors.js';
import type { Logger } from '../types.js';
import type { RedisConnections } from './connections.js';

/**
 * The apps' startup policy: wrong credentials are a configuration mistake, so
 * they stop the process with a clear error; an unreachable Redis is an outage,
 * so the process starts degraded (health says so, readiness is false) and the
 * connections keep reconnecting in the background.
 */
export async function connectAtStartup(
  connections: RedisConnections,
  logger: Logger,
  timeoutMs?: number,
): Promise<void> {
  try {
    await connections.connect(timeoutMs);
  } catch (error) {
    if (error instanceof RedisAuthError) throw error;
    logger.warn(
      { err: error },
      'Redis is not reachable yet; starting degraded and reconnecting in the background',
    );
  }
}
