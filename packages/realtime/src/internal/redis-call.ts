import { type Logger, withDeadline } from '@rnh/redis-client';
import { RealtimeUnavailableError } from '../errors.js';

/** Bounds a Redis call by `timeoutMs`; a failure is logged and rethrown as RealtimeUnavailableError. */
export async function callRedis<T>(
  work: Promise<T>,
  timeoutMs: number,
  logger: Logger,
  what: string,
): Promise<T> {
  try {
    return await withDeadline(work, timeoutMs, () => new Error(`timed out after ${timeoutMs} ms`));
  } catch (error) {
    logger.warn({ err: error, operation: what }, `realtime: ${what} failed`);
    throw new RealtimeUnavailableError(`realtime ${what} failed: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
