// Public API of @rnh/sessions. Every export is listed here on purpose.

export type {
  AccessTokenRevocationsDeps,
  AccessTokenRevocationsOptions,
  AccessTokenStamp,
  AccessTokenStatus,
  ConsumedToken,
  IssuedRefreshToken,
  IssuedToken,
  OneTimeTokenKind,
  OneTimeTokensOptions,
  PruneOptions,
  PruneResult,
  RedisSessionStoreDeps,
  RedisSessionStoreOptions,
  RefreshTokensDeps,
  RefreshTokensOptions,
  RotatedRefreshToken,
  SessionDevice,
  SessionIndexOptions,
  SessionsDeps,
  UserSessionInfo,
} from './types.js';

export {
  RefreshTokenRejectedError,
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
export { DEFAULT_KEY_PREFIXES, DEFAULTS } from './defaults.js';
export type {
  AccessCheckLayer,
  AccessRevocationScope,
  ActiveSessionsSource,
  PruneKind,
  RevokeScope,
} from './metrics/session-metrics.js';

export { RedisSessionStore } from './store/redis-session-store.js';
export { SessionIndex } from './user-index/session-index.js';
export { OneTimeTokens } from './tokens/one-time-tokens.js';
export { RefreshTokens } from './refresh/refresh-tokens.js';
export { AccessTokenRevocations } from './access/access-token-revocations.js';
