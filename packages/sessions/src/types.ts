import type { Keyspace, Logger, RedisClient, ScriptRegistry } from '@rnh/redis-client';
import type { SessionMetrics } from './metrics/session-metrics.js';
import type { SessionIndex } from './user-index/session-index.js';

/** Where and on what a session was signed in; the app puts `userAgent`, `ipPrefix`, `createdAt` in `session.device`. */
export interface SessionDevice {
  userAgent?: string;
  /** A coarse network prefix (e.g. `203.0.113.0/24`), never the full address. */
  ipPrefix?: string;
  /** Epoch ms. */
  createdAt: number;
  /** Epoch ms (Redis time) of the last request that saved or touched the session. */
  lastSeenAt: number;
}

export interface UserSessionInfo {
  sessionId: string;
  device: SessionDevice;
  /** Set when `list()` was given the caller's session id: true for that one. */
  current?: boolean;
}

export interface RedisSessionStoreOptions {
  /** The shared `commands` connection (a Cluster works too); never closed by the store. */
  redis: RedisClient;
  /** e.g. `connections.keys.child('sess')`; nothing else should live in it. */
  keys: Keyspace;
  logger: Logger;
  metrics?: SessionMetrics;
  /** When given, sessions with a string `userId` are kept in the user's index and checked for revocation on load. */
  index?: SessionIndex;
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
  /** When given, the store's Lua scripts are defined here, so `scripts.loadAll()` preloads them. */
  scripts?: ScriptRegistry;
}

export interface SessionIndexOptions {
  redis: RedisClient;
  /** e.g. `connections.keys.child('user-sessions')`. */
  keys: Keyspace;
  /** The store's keyspace, to check and delete sessions. */
  sessionKeys: Keyspace;
  metrics?: SessionMetrics;
  logger: Logger;
  /** How long index entries and revocation markers live; keep it >= the store's absoluteTtlSeconds (default 30 days). */
  retentionSeconds?: number;
  /** Same meaning as the store's option (default 300). */
  tombstoneTtlSeconds?: number;
  /** Default 1000. */
  operationTimeoutMs?: number;
  scripts?: ScriptRegistry;
}

/** A configured purpose of one-time tokens, e.g. `email_verification`, `password_reset`, `invite`. */
export type OneTimeTokenKind = string;

export interface OneTimeTokensOptions {
  redis: RedisClient;
  /** e.g. `connections.keys.child('tokens')`. */
  keys: Keyspace;
  /** The kinds this instance knows and each one's lifetime; any other kind is refused with UnknownTokenKindError. */
  ttlSeconds: Record<OneTimeTokenKind, number>;
  /**
   * Kinds of which only a subject's newest token can be redeemed (e.g. `password_reset`):
   * issuing one revokes the subject's earlier ones atomically, concurrent issues included.
   */
  newestOnly?: readonly OneTimeTokenKind[];
  metrics?: SessionMetrics;
  logger: Logger;
  /** Default 1000. */
  operationTimeoutMs?: number;
  /** When given, the Lua script of `prune` is defined here, so `scripts.loadAll()` preloads it. */
  scripts?: ScriptRegistry;
}

export interface IssuedToken {
  token: string;
  expiresAt: Date;
}

export interface ConsumedToken {
  subject: string;
  data: Record<string, string>;
}

export interface RefreshTokensOptions {
  redis: RedisClient;
  /** e.g. `connections.keys.child('refresh')`. */
  keys: Keyspace;
  /** Lifetime of each refresh token from its issue or rotation (default 30 days). */
  ttlSeconds?: number;
  /** The same token presented again within this window returns the same successor (default 10000). */
  graceMs?: number;
  /** How many rotated-away token hashes a family remembers for reuse detection (default 1000). */
  reuseHistory?: number;
  metrics?: SessionMetrics;
  logger: Logger;
  /** Default 1000. */
  operationTimeoutMs?: number;
  scripts?: ScriptRegistry;
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
