/** Every error this package throws has a stable `code` to branch on; `cause` keeps the underlying error. */
export type RateLimitErrorCode =
  'RATELIMIT_INVALID_ARGUMENT' | 'RATELIMIT_UNAVAILABLE' | 'RATELIMIT_TIMEOUT' | 'RATELIMIT_CIRCUIT_OPEN';

export class RateLimitError extends Error {
  readonly code: RateLimitErrorCode;

  constructor(code: RateLimitErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Bad configuration or argument (a policy without a window, a cost of 0, a name with braces). */
export class RateLimitArgumentError extends RateLimitError {
  constructor(message: string) {
    super('RATELIMIT_INVALID_ARGUMENT', message);
  }
}

/**
 * Redis failed or did not answer within the limiter's timeout. `limit()` never throws
 * it (the failure policy decides instead); `peek()`, `reset()` and `refund()` do.
 */
export class RateLimitUnavailableError extends RateLimitError {
  constructor(
    message: string,
    options?: {
      cause?: unknown;
      code?: 'RATELIMIT_UNAVAILABLE' | 'RATELIMIT_TIMEOUT' | 'RATELIMIT_CIRCUIT_OPEN';
    },
  ) {
    super(options?.code ?? 'RATELIMIT_UNAVAILABLE', message, options);
  }
}
