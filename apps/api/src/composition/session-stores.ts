// Sessions and tokens in Redis: the express-session store, the per-user session index,
// one-time tokens (verification, reset), refresh-token families, and the revocations of
// access tokens (kept in-process, dropped on every instance through pub/sub).
import { keyspaces } from '@rnh/jobs';
import type { RedisConnections } from '@rnh/redis-client';
import {
  AccessTokenRevocations,
  OneTimeTokens,
  RedisSessionStore,
  RefreshTokens,
  SessionIndex,
} from '@rnh/sessions';
import type { Logger } from '@rnh/telemetry';
import type { Registry } from 'prom-client';
import type { ApiConfig } from '../config.js';

export function buildSessionStores(deps: {
  config: ApiConfig;
  redis: RedisConnections;
  registry: Registry;
  logger: Logger;
}) {
  const { config, redis, logger } = deps;
  const commands = redis.shared('commands');
  const { registry } = deps;
  const { operationTimeoutMs } = config.sessions;
  const sessionKeys = redis.keys.child(keyspaces.sessions);
  const sessionIndex = new SessionIndex(
    { redis: commands, keys: redis.keys.child(keyspaces.sessionIndex), registry, logger },
    { sessionKeys, operationTimeoutMs },
  );
  const sessionStore = new RedisSessionStore(
    { redis: commands, keys: sessionKeys, logger, registry, index: sessionIndex },
    {
      defaultTtlSeconds: config.sessions.idleTtlSeconds,
      absoluteTtlSeconds: config.sessions.absoluteTtlSeconds,
      operationTimeoutMs,
    },
  );
  const oneTimeTokens = new OneTimeTokens(
    { redis: commands, keys: redis.keys.child(keyspaces.oneTimeTokens), registry, logger },
    {
      ttlSeconds: {
        email_verification: config.tokens.emailVerificationTtlSeconds,
        password_reset: config.tokens.passwordResetTtlSeconds,
      },
      // Only the newest reset link works: a new one revokes the earlier ones atomically.
      newestOnly: ['password_reset'],
      operationTimeoutMs,
    },
  );
  // Only the api reads these, so the keyspace is not among the shared ones.
  const accessTokenRevocations = new AccessTokenRevocations(
    {
      redis: commands,
      keys: redis.keys.child('access-revoked'),
      logger,
      registry,
      subscriber: redis.shared('subscriber'),
    },
    {
      tokenTtlSeconds: config.tokens.accessTtlSeconds,
      l1: {
        ttlSeconds: config.tokens.accessRevocationL1TtlSeconds,
        graceSeconds: config.tokens.accessOutageGraceSeconds,
      },
      operationTimeoutMs,
    },
  );
  const refreshTokens = new RefreshTokens(
    {
      redis: commands,
      keys: redis.keys.child(keyspaces.refreshTokens),
      accessTokens: accessTokenRevocations,
      registry,
      logger,
    },
    {
      ttlSeconds: config.tokens.refreshTtlSeconds,
      familyMaxAgeSeconds: config.tokens.refreshFamilyMaxAgeSeconds,
      operationTimeoutMs,
    },
  );
  return { sessionIndex, sessionStore, oneTimeTokens, refreshTokens, accessTokenRevocations };
}
