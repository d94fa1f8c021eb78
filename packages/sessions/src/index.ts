// Public API of @rnh/sessions. Every export is listed here on purpose.

export type {
  ConsumedToken,
  IssuedRefreshToken,
  IssuedToken,
  OneTimeTokenKind,
  OneTimeTokensOptions,
  PruneOptions,
  PruneResult,
  RedisSessionStoreOptions,
  RefreshTokensOptions,
  RotatedRefreshToken,
  SessionDevice,
  SessionIndexOptions,
  UserSessionInfo,
} from './types.js';

export {
  RefreshTokenReuseError,
  SessionsArgumentError,
  SessionsError,
  SessionStoreUnavailableError,
  TOKEN_REJECT_REASONS,
  TokenRejectedError,
  UnknownTokenKindError,
} from './errors.js';
export type { SessionsErrorCode, TokenRejectReason } from './errors.js';

export { createSessionMetrics, SessionMetrics } from './metrics/session-metrics.js';
export type { ActiveSessionsSource, PruneKind, RevokeScope } from './metrics/session-metrics.js';

export { RedisSessionStore } from './store/redis-session-store.js';
export { SessionIndex } from './user-index/session-index.js';
export { OneTimeTokens } from './tokens/one-time-tokens.js';
export { RefreshTokens } from './refresh/refresh-tokens.js';
