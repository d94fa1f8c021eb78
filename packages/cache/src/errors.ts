/** Every error this package throws has a stable `code` to branch on; `cause` keeps the underlying error. */
export type CacheErrorCode =
  | 'CACHE_INVALID_ARGUMENT'
  | 'CACHE_UNAVAILABLE'
  | 'CACHE_CIRCUIT_OPEN'
  | 'CACHE_TIMEOUT'
  | 'CACHE_LOADER_TIMEOUT'
  | 'CACHE_SERIALIZE_FAILED'
  | 'CACHE_DESERIALIZE_FAILED';

export class CacheError extends Error {
  readonly code: CacheErrorCode;

  constructor(code: CacheErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Bad configuration or argument (e.g. a namespace with braces, a negative TTL). */
export class CacheArgumentError extends CacheError {
  constructor(message: string) {
    super('CACHE_INVALID_ARGUMENT', message);
  }
}

/**
 * Redis failed, timed out, or the circuit breaker is open. Reads never throw it
 * (they fail open); invalidations and counters do, so a caller knows a delete
 * did not happen. `operation` is bounded (e.g. `delete`), never a key.
 */
export class CacheUnavailableError extends CacheError {
  readonly operation: string;

  constructor(
    operation: string,
    message: string,
    options?: { cause?: unknown; code?: 'CACHE_UNAVAILABLE' | 'CACHE_CIRCUIT_OPEN' | 'CACHE_TIMEOUT' },
  ) {
    super(options?.code ?? 'CACHE_UNAVAILABLE', message, options);
    this.operation = operation;
  }
}

/** A value the serializer cannot encode (a function, a symbol, a cycle) or a stored entry it cannot read. */
export class CacheSerializationError extends CacheError {
  constructor(
    code: 'CACHE_SERIALIZE_FAILED' | 'CACHE_DESERIALIZE_FAILED',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

/** getOrSet's loader ran past its hard timeout; the load continues and its value is cached when it ends. */
export class CacheLoaderTimeoutError extends CacheError {
  readonly timeoutMs: number;

  constructor(timeoutMs: number) {
    super('CACHE_LOADER_TIMEOUT', `cache loader timed out after ${timeoutMs} ms`);
    this.timeoutMs = timeoutMs;
  }
}
