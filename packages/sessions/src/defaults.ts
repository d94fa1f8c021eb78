/** The session package's defaults in one place, each with the reason for its value. */
export const DEFAULTS = {
  // A session idle for a day is signed out (when the cookie sets no maxAge).
  idleTtlSeconds: 86_400,
  // However active, a session ends 30 days after sign-in: a stolen cookie does not live forever.
  absoluteTtlSeconds: 30 * 86_400,
  // Sessions fail closed: a request waits at most 1 s for Redis, then gets a 503 instead of hanging.
  operationTimeoutMs: 1000,
  // A destroyed session's tombstone outlives any request that could still be saving it.
  tombstoneTtlSeconds: 300,
  // A signed-in session's activity (its index entry's lastSeenAt, and the revocation check of
  // a session the index may have missed) is written at most once a minute: a read that changes
  // nothing is then one HMGET and one PEXPIRE, and "last seen" is still exact to the minute.
  lastSeenIntervalSeconds: 60,
  // Counting active sessions SCANs the keyspace: one sample serves 15 s of scrapes.
  activeSampleCacheMs: 15_000,
  refreshTtlSeconds: 30 * 86_400,
  // A stolen refresh token kept in rotation lives at most this long; users sign in again quarterly.
  refreshFamilyMaxAgeSeconds: 90 * 86_400,
  // A client whose refresh answer was lost can retry for 10 s without being taken for a thief.
  refreshGraceMs: 10_000,
  // Rotated-away token hashes remembered per family for reuse detection (bounds its memory).
  reuseHistory: 1000,
  // Access-token revocation copies: fresh for 10 s, the bound on a lost invalidation message.
  accessL1MaxEntries: 10_000,
  accessL1TtlSeconds: 10,
} as const;

/**
 * Where each class keeps its keys unless the user passes `keys` (a Keyspace or a
 * prefix string). Distinct prefixes, so a SCAN of one never walks the others.
 */
export const DEFAULT_KEY_PREFIXES = {
  sessions: 'rnh:sess:',
  sessionIndex: 'rnh:user-sessions:',
  oneTimeTokens: 'rnh:tokens:',
  refreshTokens: 'rnh:refresh:',
  accessTokenRevocations: 'rnh:access-revoked:',
} as const;
