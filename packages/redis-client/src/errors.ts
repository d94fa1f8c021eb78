/** Every error this package throws has a stable `code` to branch on; `cause` keeps the ioredis error. */
export type RedisClientErrorCode =
  | 'REDIS_CONFIG_INVALID'
  | 'REDIS_CONNECTION_FAILED'
  | 'REDIS_AUTH_FAILED'
  | 'REDIS_TIMEOUT'
  | 'REDIS_CLOSED'
  | 'REDIS_INVALID_ARGUMENT'
  | 'REDIS_SCRIPT_UNKNOWN'
  | 'REDIS_SCRIPT_CONFLICT';

export class RedisClientError extends Error {
  readonly code: RedisClientErrorCode;

  constructor(code: RedisClientErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

export interface RedisConfigIssue {
  /** The environment variable (or option) at fault, e.g. `REDIS_PORT`. */
  variable: string;
  message: string;
}

/** Bad configuration; one error lists every problem found, each naming its variable. */
export class RedisConfigError extends RedisClientError {
  /** The first variable at fault; `issues` has all of them. */
  readonly variable: string;
  readonly issues: readonly RedisConfigIssue[];

  constructor(issues: readonly RedisConfigIssue[]) {
    const lines = issues.map((issue) => issue.message);
    const message =
      lines.length === 1
        ? `Invalid Redis configuration: ${lines[0]}`
        : `Invalid Redis configuration:\n- ${lines.join('\n- ')}`;
    super('REDIS_CONFIG_INVALID', message);
    this.issues = issues;
    this.variable = issues[0]?.variable ?? 'unknown';
  }
}

/** Redis could not be reached or the connection ended before it was ready. */
export class RedisConnectionError extends RedisClientError {
  constructor(
    message: string,
    options?: { cause?: unknown; code?: 'REDIS_CONNECTION_FAILED' | 'REDIS_AUTH_FAILED' },
  ) {
    super(options?.code ?? 'REDIS_CONNECTION_FAILED', message, options);
  }
}

/** The server rejected the credentials (WRONGPASS, NOAUTH). */
export class RedisAuthError extends RedisConnectionError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, { ...options, code: 'REDIS_AUTH_FAILED' });
  }
}

export class RedisTimeoutError extends RedisClientError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('REDIS_TIMEOUT', message, options);
  }
}

/** Used after `RedisConnections.close()`: no new connections from a closed registry. */
export class RedisClosedError extends RedisClientError {
  constructor(message: string) {
    super('REDIS_CLOSED', message);
  }
}

export class RedisScriptError extends RedisClientError {
  constructor(
    code: 'REDIS_SCRIPT_UNKNOWN' | 'REDIS_SCRIPT_CONFLICT' | 'REDIS_INVALID_ARGUMENT',
    message: string,
  ) {
    super(code, message);
  }
}
