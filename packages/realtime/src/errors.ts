/** Every error this package throws has a stable `code` to branch on; `cause` keeps the underlying error. */
export type RealtimeErrorCode =
  | 'REALTIME_INVALID_ARGUMENT'
  | 'REALTIME_INVALID_EVENT'
  | 'REALTIME_UNAVAILABLE'
  | 'REALTIME_CONNECTION_LIMIT'
  | 'REALTIME_CLOSED';

export class RealtimeError extends Error {
  readonly code: RealtimeErrorCode;

  constructor(code: RealtimeErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A bad option or argument: an id with characters keys cannot hold, a cursor that is not a stream id. */
export class RealtimeArgumentError extends RealtimeError {
  constructor(message: string) {
    super('REALTIME_INVALID_ARGUMENT', message);
  }
}

/** An event whose type is not declared, or whose data its schema rejects (at publish time). */
export class RealtimeEventError extends RealtimeError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('REALTIME_INVALID_EVENT', message, options);
  }
}

/** Redis failed or did not answer in time; nothing was published or recorded. */
export class RealtimeUnavailableError extends RealtimeError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('REALTIME_UNAVAILABLE', message, options);
  }
}

/** The user already has `maxConnectionsPerUser` live connections (counted across every instance). */
export class RealtimeConnectionLimitError extends RealtimeError {
  constructor(limit: number) {
    super('REALTIME_CONNECTION_LIMIT', `at most ${limit} live connections per user`);
  }
}

/** The hub is draining or closed: the client should reconnect (to another instance). */
export class RealtimeClosedError extends RealtimeError {
  constructor() {
    super('REALTIME_CLOSED', 'the real-time hub is shutting down; reconnect');
  }
}
