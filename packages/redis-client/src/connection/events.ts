import type { Logger, RedisClient } from '../types.js';
import { safeErrorFields } from './redact.js';

export interface LogContext {
  pool: string;
  role: string;
  /** host:port or topology description, never credentials. */
  target: string;
  logger: Logger;
}

/**
 * Logs connection lifecycle events. The 'error' listener also matters for
 * correctness: without one, ioredis prints "Unhandled error event" to stderr.
 */
export function attachLogging(client: RedisClient, { pool, role, target, logger }: LogContext): () => void {
  const fields = { pool, role, target };
  const listeners: Record<string, (...args: unknown[]) => void> = {
    connect: () => logger.debug(fields, 'redis connected'),
    ready: () => logger.info(fields, 'redis ready'),
    reconnecting: (delayMs) => logger.warn({ ...fields, delayMs }, 'redis reconnecting'),
    error: (error) => logger.error({ ...fields, error: safeErrorFields(error) }, 'redis error'),
    close: () => logger.debug(fields, 'redis connection closed'),
    end: () => logger.info(fields, 'redis connection ended'),
    'node error': (error, node) =>
      logger.warn({ ...fields, node, error: safeErrorFields(error) }, 'redis cluster node error'),
  };
  for (const [event, listener] of Object.entries(listeners)) client.on(event, listener);
  return () => {
    for (const [event, listener] of Object.entries(listeners)) client.off(event, listener);
  };
}
