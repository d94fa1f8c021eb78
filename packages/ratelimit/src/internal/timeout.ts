import { RateLimitUnavailableError } from '../errors.js';

/** Rejects with RateLimitUnavailableError (RATELIMIT_TIMEOUT) after `ms`; the work itself goes on, its late result ignored. */
export function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(
        new RateLimitUnavailableError(`Redis did not answer within ${ms} ms`, { code: 'RATELIMIT_TIMEOUT' }),
      );
    }, ms);
    timer.unref();
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
