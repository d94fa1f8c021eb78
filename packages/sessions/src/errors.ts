/** Every error this package throws has a stable `code` to branch on; `cause` keeps a sanitized copy of the Redis error. */
export type SessionsErrorCode =
  | 'SESSION_STORE_UNAVAILABLE'
  | 'TOKEN_REJECTED'
  | 'REFRESH_TOKEN_REUSED'
  | 'TOKEN_KIND_UNKNOWN'
  | 'INVALID_ARGUMENT';

/** Why a token was refused. Bounded: these are also the `reason` label values of `tokens_rejected_total`. */
export type TokenRejectReason = 'unknown' | 'expired_or_used' | 'wrong_purpose' | 'malformed';

export const TOKEN_REJECT_REASONS: readonly TokenRejectReason[] = [
  'unknown',
  'expired_or_used',
  'wrong_purpose',
  'malformed',
];

export class SessionsError extends Error {
  readonly code: SessionsErrorCode;

  constructor(code: SessionsErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * Redis errored or did not answer within the operation timeout. Fail closed:
 * the app answers 503, never "no session" (that would be a silent logout).
 */
export class SessionStoreUnavailableError extends SessionsError {
  /** The operation that failed, e.g. `sessions.get` (never an id). */
  readonly operation: string;

  constructor(operation: string, message: string, options?: { cause?: unknown }) {
    super('SESSION_STORE_UNAVAILABLE', message, options);
    this.operation = operation;
  }
}

/** A one-time or refresh token was refused; `reason` says why (a 4xx for the client). */
export class TokenRejectedError extends SessionsError {
  readonly reason: TokenRejectReason;

  constructor(reason: TokenRejectReason, message = `token rejected: ${reason}`) {
    super('TOKEN_REJECTED', message);
    this.reason = reason;
  }
}

/**
 * A refresh token that cannot be exchanged: malformed, unknown, expired, past its
 * family's maximum age, or of a revoked family. The client has to sign in again.
 */
export class RefreshTokenRejectedError extends TokenRejectedError {}

/** A refresh token that was already rotated was presented again after the grace period: its whole family is revoked. */
export class RefreshTokenReuseError extends SessionsError {
  constructor() {
    super('REFRESH_TOKEN_REUSED', 'refresh token reuse detected: the token family was revoked');
  }
}

/** A one-time token kind that is not in the configured `ttlSeconds` (a programming error, not a client one). */
export class UnknownTokenKindError extends SessionsError {
  readonly kind: string;

  constructor(kind: string) {
    const shown = kind.length > 64 ? `${kind.slice(0, 64)}...` : kind;
    super(
      'TOKEN_KIND_UNKNOWN',
      `unknown one-time token kind ${JSON.stringify(shown)}; configure it in ttlSeconds`,
    );
    this.kind = shown;
  }
}

/** Bad configuration or a bad argument (e.g. a user id with braces); the message never contains an id or token. */
export class SessionsArgumentError extends SessionsError {
  constructor(message: string) {
    super('INVALID_ARGUMENT', message);
  }
}
