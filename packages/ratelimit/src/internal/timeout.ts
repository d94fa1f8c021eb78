import { withDeadline } from '@rnh/redis-client';
import { RateLimitUnavailableError } from '../errors.js';

/** Rejects with RateLimitUnavailableError (RATELIMIT_TIMEOUT) after `ms`; the work itself goes on, its late result ignored. */
export function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  return withDeadline(
    work,
    ms,
    () =>
      new RateLimitUnavailableError(`Redis did not answer within ${ms} ms`, { code: 'RATELIMIT_TIMEOUT' }),
  );
}
