import type { RedisGuardErrors } from '@rnh/redis-client';
import { RateLimitArgumentError, RateLimitUnavailableError } from '../errors.js';

/**
 * The package's coded errors for a RedisGuard. `subject` names who could not reach Redis
 * (`rate limiter "login"`). Without `wrapRedisErrors`, Redis's own errors are rethrown as
 * they are (the express-rate-limit store hands them to express-rate-limit).
 */
export function guardErrors(subject: string, wrapRedisErrors: boolean): RedisGuardErrors<void> {
  const errors: RedisGuardErrors<void> = {
    timeout: (_, ms) =>
      new RateLimitUnavailableError(`Redis did not answer within ${ms} ms`, { code: 'RATELIMIT_TIMEOUT' }),
    circuitOpen: () =>
      new RateLimitUnavailableError(`${subject}: Redis circuit breaker is open`, {
        code: 'RATELIMIT_CIRCUIT_OPEN',
      }),
    invalidOption: (message) => new RateLimitArgumentError(message),
  };
  if (wrapRedisErrors)
    errors.unavailable = (_, cause) =>
      new RateLimitUnavailableError(`${subject}: Redis unavailable`, { cause });
  return errors;
}
