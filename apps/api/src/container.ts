// The api's composition root: builds every dependency once from the config and owns the shutdown order.
import { join, resolve } from 'node:path';
import { RedisConnections } from '@rnh/redis-client';
import {
  OneTimeTokens,
  RedisSessionStore,
  RefreshTokens,
  SessionIndex,
  createSessionMetrics,
} from '@rnh/sessions';
import { createLogger, createMetricsRegistry, type Logger } from '@rnh/telemetry';
import { Counter, type Registry } from 'prom-client';
import { AccessTokens } from './auth/access-tokens.js';
import { AccountService } from './auth/account-service.js';
import type { ApiConfig } from './config.js';
import { createDatabase, type Database } from './db/database.js';
import { createMailer, type Mailer } from './mail/mailer.js';
import { UsersRepository } from './users/users-repository.js';

export interface ApiContainer {
  config: ApiConfig;
  logger: Logger;
  registry: Registry;
  redis: RedisConnections;
  database: Database;
  mailer: Mailer;
  sessionStore: RedisSessionStore;
  sessionIndex: SessionIndex;
  accessTokens: AccessTokens;
  accounts: AccountService;
  /** Whether the api is shutting down (readiness turns false first, so balancers stop sending traffic). */
  isShuttingDown(): boolean;
  /** Closes what the container built, in reverse order of need. Idempotent. */
  shutdown(): Promise<void>;
}

export async function createContainer(
  config: ApiConfig,
  overrides: { logger?: Logger } = {},
): Promise<ApiContainer> {
  const logger =
    overrides.logger ??
    createLogger({ name: config.serviceName, level: config.log.level, pretty: config.log.pretty });
  const registry = createMetricsRegistry({ defaultLabels: { app: 'api' } });
  const redis = new RedisConnections({ options: config.redis, logger, registry });
  // Connect now (without waiting) so /health, /metrics and the first request see a live connection.
  const commands = redis.shared('commands');

  const dataDir = resolve(config.dataDir);
  const database = await createDatabase({
    url: config.databaseUrl,
    dataDir: join(dataDir, 'pglite'),
    logger,
  });
  const mailer = createMailer({
    smtpUrl: config.mail.smtpUrl,
    mailDir: join(dataDir, 'mail'),
    from: config.mail.from,
    logger,
  });

  const sessionMetrics = createSessionMetrics(registry);
  const sessionKeys = redis.keys.child('sess');
  const sessionIndex = new SessionIndex({
    redis: commands,
    keys: redis.keys.child('user-sessions'),
    sessionKeys,
    metrics: sessionMetrics,
    logger,
  });
  const sessionStore = new RedisSessionStore({
    redis: commands,
    keys: sessionKeys,
    logger,
    metrics: sessionMetrics,
    index: sessionIndex,
    defaultTtlSeconds: config.sessions.idleTtlSeconds,
    absoluteTtlSeconds: config.sessions.absoluteTtlSeconds,
  });
  const oneTimeTokens = new OneTimeTokens({
    redis: commands,
    keys: redis.keys.child('tokens'),
    ttlSeconds: {
      email_verification: config.tokens.emailVerificationTtlSeconds,
      password_reset: config.tokens.passwordResetTtlSeconds,
      invite: config.tokens.inviteTtlSeconds,
    },
    metrics: sessionMetrics,
    logger,
  });
  const refreshTokens = new RefreshTokens({
    redis: commands,
    keys: redis.keys.child('refresh'),
    ttlSeconds: config.tokens.refreshTtlSeconds,
    metrics: sessionMetrics,
    logger,
  });
  const accessTokens = new AccessTokens({
    secret: config.sessions.secret,
    ttlSeconds: config.tokens.accessTtlSeconds,
  });
  const logins = new Counter({
    name: 'auth_logins_total',
    help: 'Sign-in attempts (sessions and API tokens) by outcome.',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const accounts = new AccountService({
    users: new UsersRepository(database.db),
    sessionIndex,
    oneTimeTokens,
    refreshTokens,
    accessTokens,
    mailer,
    publicUrl: config.publicUrl,
    logins,
    logger,
  });

  let shuttingDown = false;
  let closing: Promise<void> | undefined;

  return {
    config,
    logger,
    registry,
    redis,
    database,
    mailer,
    sessionStore,
    sessionIndex,
    accessTokens,
    accounts,
    isShuttingDown: () => shuttingDown,
    shutdown() {
      shuttingDown = true;
      closing ??= (async () => {
        await mailer.close();
        await database.close();
        await redis.close(config.shutdownTimeoutMs);
      })();
      return closing;
    },
  };
}
