import type { Keyspace, RedisClient, RedisPackageDeps, ScriptRegistry } from '@rnh/redis-client';
import type { AccessTokenRevocations } from './access/access-token-revocations.js';
import type { SessionIndex } from './user-index/session-index.js';

/** Where and on what a session was signed in; the app puts `userAgent`, `ipPrefix`, `createdAt` in `session.device`. */
export interface SessionDevice {
  userAgent?: string;
  /** A coarse network prefix (e.g. `203.0.113.0/24`), never the full address. */
  ipPrefix?: string;
  /** Epoch ms. */
  createdAt: number;
  /**
   * Epoch ms (Redis time) of the session's last recorded activity: its first save, and then
   * at most once per the store's `lastSeenIntervalSeconds` while it is used (so at most that
   * much older than its last request).
   */
  lastSeenAt: number;
}

export interface UserSessionInfo {
  sessionId: string;
  device: SessionDevice;
  /** Set when `list()` was given the caller's session id: true for that one. */
  current?: boolean;
}

/**
 * What every class of this package takes first. `redis`: the user's own client (a
 * Cluster works too), never closed here. `keys`: a Keyspace or a prefix; each class
 * has its own default (DEFAULT_KEY_PREFIXES) and nothing else should live in it.
 * `logger` (default silent), `registry` (no metrics without it; classes sharing a
 * registry share the metrics), `tracer` (default: the global one).
 */
export interface SessionsDeps extends RedisPackageDeps {
  /** When given, the class's Lua scripts are defined here, so `scripts.loadAll()` preloads them. */
  scripts?: ScriptRegistry;
}

export interface RedisSessionStoreDeps extends SessionsDeps {
  /** When given, sessions with a string `userId` are kept in the user's index and checked for revocation on load. */
  index?: SessionIndex;
}

export interface RedisSessionStoreOptions {
  /** Idle TTL when the cookie has no maxAge/expires (default 86400). */
  defaultTtlSeconds?: number;
  /** Hard cap from the first save; touch and later saves never extend past it (default 30 days). */
  absoluteTtlSeconds?: number;
  /** A Redis operation slower than this fails with SessionStoreUnavailableError (default 1000). */
  operationTimeoutMs?: number;
  /** How long `destroy` keeps a tombstone that stops a racing `set` from resurrecting the session (default 300). */
  tombstoneTtlSeconds?: number;
  /** How long one `sessions_active` sample serves scrapes (default 15000). */
  activeSampleCacheMs?: number;
  /**
   * With an index: how often a signed-in session's activity is written (default 60). A request
   * that finds the last write older than this updates the index entry's lastSeenAt and checks
   * the user's revocation markers on load; every other read that changes nothing is one HMGET
   * and one PEXPIRE. 0: on every request.
   */
  lastSeenIntervalSeconds?: number;
}

export interface SessionIndexOptions {
  /** The store's keyspace (or prefix), to check and delete sessions; default the store's, `rnh:sess:`. */
  sessionKeys?: Keyspace | string;
  /** How long index entries and revocation markers live; keep it >= the store's absoluteTtlSeconds (default 30 days). */
  retentionSeconds?: number;
  /** Same meaning as the store's option (default 300). */
  tombstoneTtlSeconds?: number;
  /** Default 1000. */
  operationTimeoutMs?: number;
}

/** A configured purpose of one-time tokens, e.g. `email_verification`, `password_reset`, `invite`. */
export type OneTimeTokenKind = string;

export interface OneTimeTokensOptions {
  /** The kinds this instance knows and each one's lifetime; any other kind is refused with UnknownTokenKindError. */
  ttlSeconds: Record<OneTimeTokenKind, number>;
  /**
   * Kinds of which only a subject's newest token can be redeemed (e.g. `password_reset`):
   * issuing one revokes the subject's earlier ones atomically, concurrent issues included.
   */
  newestOnly?: readonly OneTimeTokenKind[];
  /** Default 1000. */
  operationTimeoutMs?: number;
}

export interface IssuedToken {
  token: string;
  expiresAt: Date;
}

export interface ConsumedToken {
  subject: string;
  data: Record<string, string>;
}

/** `keys` (default `rnh:access-revoked:`): its prefix also names the invalidation channel. */
export interface AccessTokenRevocationsDeps extends SessionsDeps {
  /**
   * A `subscriber` connection (shared ones are fine). With it, answers are kept
   * in-process (`l1`) and every process drops its copies of a user the moment a
   * revocation is published; call `start()`. Without it, every check reads Redis
   * and Redis being unreachable fails every check.
   */
  subscriber?: RedisClient;
}

export interface AccessTokenRevocationsOptions {
  /**
   * The longest an access token lives. Revocations are kept in Redis this long
   * (plus a margin for clocks that differ between instances); never set it below
   * the tokens' real lifetime, or a revoked token would work again.
   */
  tokenTtlSeconds: number;
  /**
   * In-process copies of what Redis said (only with a `subscriber`), each fresh
   * for `ttlSeconds` and at most `maxEntries` (default 10 000); `false` turns them
   * off. `ttlSeconds` (default 10) bounds how far a copy can lag behind Redis
   * should a revocation message be lost, and how long a checked token keeps
   * working while Redis is unreachable.
   *
   * `graceSeconds` (default 0) keeps a copy answering that much longer, but only
   * while Redis cannot: an API client checked shortly before an outage keeps
   * working through it (revocations need Redis, so none can happen meanwhile).
   * The price: a token revoked while this process's subscription was down, just
   * before Redis became unreachable, can work for up to `ttlSeconds +
   * graceSeconds`. Keep it at or below the tokens' lifetime.
   */
  l1?: false | { maxEntries?: number; ttlSeconds?: number; graceSeconds?: number };
  /** A Redis read or write slower than this fails with SessionStoreUnavailableError (default 1000). */
  operationTimeoutMs?: number;
}

/** What an access token carries so it can be revoked: its user, the generation it was issued in, its refresh family. */
export interface AccessTokenStamp {
  userId: string;
  /** From `AccessTokenRevocations.generation(userId)` when the token was issued. */
  generation: number;
  /** The refresh family the token was issued with, if any. */
  familyId?: string;
}

/** `active`, or why the token no longer works. */
export type AccessTokenStatus = 'active' | 'revoked_user' | 'revoked_family';

export interface RefreshTokensDeps extends SessionsDeps {
  /**
   * When given, revoking a family (revokeFamily, revoke, reuse detection) also
   * revokes the access tokens issued with it, and revokeAllForUser every access
   * token of the user.
   */
  accessTokens?: Pick<AccessTokenRevocations, 'revokeUser' | 'revokeFamily'>;
}

export interface RefreshTokensOptions {
  /** Lifetime of each refresh token from its issue or rotation (default 30 days). */
  ttlSeconds?: number;
  /**
   * Absolute lifetime of a family from its first token (a sign-in): rotations
   * never extend a family beyond it, so a client signs in again at least this
   * often (default 90 days).
   */
  familyMaxAgeSeconds?: number;
  /**
   * Replay grace window: the token just rotated away, presented again within this
   * many ms of its rotation, returns the same successor instead of counting as
   * reuse, so a client whose refresh response was lost (or two concurrent
   * refreshes) is not signed out. After it, that token revokes the family (default 10000).
   * 0 turns the window off: a replay is reuse even in the millisecond of the rotation.
   */
  graceMs?: number;
  /** How many rotated-away token hashes a family remembers for reuse detection (default 1000). */
  reuseHistory?: number;
  /** Default 1000. */
  operationTimeoutMs?: number;
}

export interface IssuedRefreshToken {
  token: string;
  familyId: string;
  expiresAt: Date;
}

export interface RotatedRefreshToken {
  token: string;
  userId: string;
  familyId: string;
  expiresAt: Date;
}

/** Options of the maintenance `prune()` methods (SessionIndex, OneTimeTokens, RefreshTokens). */
export interface PruneOptions {
  /**
   * SCAN COUNT hint for the keyspace walk, and the HSCAN/SSCAN COUNT and check
   * batch inside each key (default 100, at most 10000).
   */
  batchSize?: number;
  /**
   * Stop starting new SCAN calls once this many keys were examined (default: no
   * limit, one whole pass). The SCAN batch in progress is finished, so a run can
   * examine up to about one batch more than this.
   */
  maxKeys?: number;
  /** The `cursor` of the previous run's result: continue the pass where it stopped. Omitted: start from the beginning. */
  cursor?: string;
  /** Checked before each SCAN call: an aborted run stops there and returns its counts and a cursor. */
  signal?: AbortSignal;
}

/** What one prune run did. */
export interface PruneResult {
  /** Keys examined (a key can be counted twice when Redis rehashes during the walk). */
  scannedKeys: number;
  /** Dead entries or set members removed by this run. */
  prunedEntries: number;
  /** Keys this run emptied (Redis deletes an empty hash or set). */
  removedKeys: number;
  /**
   * Where the pass stopped (maxKeys or abort): pass it as `cursor` to the next run.
   * `null` when this run reached the end of the keyspace on every master.
   * Opaque; it names a Redis node (host:port), never a key or id.
   */
  cursor: string | null;
}
