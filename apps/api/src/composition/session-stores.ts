// Sessions and tokens in Redis: the express-session store, the per-user session index,
// one-time tokens (verification, reset) and refresh-token families.
import { keyspaces } from '@rnh/jobs';
import type { RedisConnections } from '@rnh/redis-client';
import {
  OneTimeTokens,
  RedisSessionStore,
  RefreshTokens,
  SessionIndex,
  createSessionMetrics,
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
  const metrics = createSessionMetrics(deps.registry);
  const sessionKeys = redis.keys.child(keyspaces.sessions);
  const sessionIndex = new SessionIndex({
    redis: commands,
    keys: redis.keys.child(keyspaces.sessionIndex),
    sessionKeys,
    metrics,
    logger,
  });
  const sessionStore = new RedisSessionStore({
    redis: commands,
    keys: sessionKeys,
    logger,
    metrics,
    index: sessionIndex,
    defaultTtlSeconds: config.sessions.idleTtlSeconds,
    absoluteTtlSeconds: config.sessions.absoluteTtlSeconds,
  });
  const oneTimeTokens = new OneTimeTokens({
    redis: commands,
    keys: redis.keys.child(keyspaces.oneTimeTokens),
    ttlSeconds: {
      email_verification: config.tokens.emailVerificationTtlSeconds,
      password_reset: config.tokens.passwordResetTtlSeconds,
    },
    // Only the newest reset link works: a new one revokes the earlier ones atomically.
    newestOnly: ['password_reset'],
    metrics,
    logger,
  });
  const refreshTokens = new RefreshTokens({
    redis: commands,
    keys: redis.keys.child(keyspaces.refreshTokens),
    ttlSeconds: config.tokens.refreshTtlSeconds,
    metrics,
    logger,
  });
  return { sessionIndex, sessionStore, oneTimeTokens, refreshTokens };
}
