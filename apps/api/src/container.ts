// The api's composition root: builds every dependency once from the config and owns the shutdown order.
import { join, resolve } from 'node:path';
import type { Cache } from '@rnh/cache';
import { emailQueue, maintenanceQueue, networkQueue, type EmailJobs, type NetworkJobs } from '@rnh/jobs';
import { QueueProducer, type JobDefinitions, type QueueWorker } from '@rnh/queue';
import { RedisConnections } from '@rnh/redis-client';
import type { AccessTokenRevocations, RedisSessionStore, SessionIndex } from '@rnh/sessions';
import { createLogger, createMetricsRegistry, type Logger } from '@rnh/telemetry';
import type { RequestHandler } from 'express';
import { Counter, type Registry } from 'prom-client';
import { AccessTokens } from './auth/access-tokens.js';
import { AccountService } from './auth/account-service.js';
import { cacheNamespaces } from './cache/namespaces.js';
import { buildApiCache, profileResponseCache } from './composition/api-cache.js';
import { buildNetwork } from './composition/network.js';
import { buildRealtime, type ApiRealtime } from './composition/realtime.js';
import { buildSessionStores } from './composition/session-stores.js';
import type { ApiConfig } from './config.js';
import { createDatabase, type Database } from './db/database.js';
import type { InviteService } from './invites/invite-service.js';
import { MailQuota } from './limits/mail-quota.js';
import { createRateLimiters, type RateLimiters } from './limits/rate-limiters.js';
import type { NotificationsRepository } from './notifications/notifications-repository.js';
import type { OrganizationService } from './orgs/organization-service.js';
import type { OutboxRelay } from './outbox/outbox-relay.js';
import type { ReferralService } from './referrals/referral-service.js';
import { PasswordPolicy, commonPasswords } from './users/password-policy.js';
import { PasswordHasher } from './users/passwords.js';
import { UserProfiles } from './users/user-profiles.js';
import { UsersRepository } from './users/users-repository.js';

export interface ApiContainer {
  config: ApiConfig;
  logger: Logger;
  registry: Registry;
  redis: RedisConnections;
  database: Database;
  /** The queues the api enqueues to (and shows on /admin). */
  queues: {
    email: QueueProducer<EmailJobs>;
    network: QueueProducer<NetworkJobs>;
    all: QueueProducer<JobDefinitions>[];
  };
  /** Works the `network` queue: it needs the database, which the api owns. */
  networkWorker: QueueWorker<NetworkJobs>;
  /** Moves domain events from the database's outbox into the queues (start with `start()`). */
  outboxRelay: OutboxRelay;
  notifications: NotificationsRepository;
  sessionStore: RedisSessionStore;
  sessionIndex: SessionIndex;
  accessTokens: AccessTokens;
  /** Subscribe with `start()` (server.ts): until then every Bearer request reads Redis. */
  accessTokenRevocations: AccessTokenRevocations;
  accounts: AccountService;
  cache: Cache;
  profiles: UserProfiles;
  organizations: OrganizationService;
  referrals: ReferralService;
  invites: InviteService;
  rateLimiters: RateLimiters;
  /** Live delivery: users' event feeds, presence, and this process's connections (GET /events, /ws). */
  realtime: ApiRealtime;
  /** Response cache of GET /me: private to the caller, invalidated with their profile. */
  profileResponseCache: RequestHandler;
  /** Whether the api is shutting down (readiness turns false first, so balancers stop sending traffic). */
  isShuttingDown(): boolean;
  /** From now on `GET /ready` answers 503; requests are still served. */
  beginShutdown(): void;
  /** Closes what the container built, in reverse order of need. Idempotent. */
  shutdown(): Promise<void>;
}

export async function createContainer(
  config: ApiConfig,
  overrides: { logger?: Logger } = {},
): Promise<ApiContainer> {
  const logger =
    overrides.logger ??
    createLogger({
      name: config.serviceName,
      level: config.log.level,
      pretty: config.log.pretty,
      errorStacks: config.nodeEnv !== 'production',
    });
  const registry = createMetricsRegistry({ defaultLabels: { app: 'api' } });
  const redis = new RedisConnections({ options: config.redis, logger, registry });
  // Connect now (without waiting) so /health, /metrics and the first request see a live connection.
  const commands = redis.shared('commands');
  const database = await createDatabase({
    url: config.databaseUrl,
    dataDir: join(resolve(config.dataDir), 'pglite'),
    logger,
  });

  const queueDeps = { redis, logger, registry };
  // Depth gauges from the api too: when the worker is down, its backlog still shows (and alerts).
  const queues = {
    email: new QueueProducer(queueDeps, emailQueue, { sealingKey: config.jobSecretKey, depthMetrics: true }),
    network: new QueueProducer(queueDeps, networkQueue, { depthMetrics: true }),
    maintenance: new QueueProducer(queueDeps, maintenanceQueue, { depthMetrics: true }),
  };
  const sessions = buildSessionStores({ config, redis, registry, logger });
  const accessTokens = new AccessTokens({
    secret: config.sessions.secret,
    ttlSeconds: config.tokens.accessTtlSeconds,
    revocations: sessions.accessTokenRevocations,
  });
  const cache = buildApiCache({ config, redis, registry, logger });
  const rateLimiters = createRateLimiters({
    config,
    redis: commands,
    keys: redis.keys.child('ratelimit'),
    logger,
    registry,
  });
  const mailQuota = new MailQuota(
    { perUser: rateLimiters.email_user, perAddress: rateLimiters.email_address },
    config.rateLimits.failClosedStatus,
  );
  const users = new UsersRepository(database.db);
  const profiles = new UserProfiles({ users, cache: cache.namespace(cacheNamespaces.users) });
  const accounts = new AccountService({
    users,
    passwords: new PasswordHasher({ cost: config.passwords.hashCost }),
    passwordPolicy: new PasswordPolicy(commonPasswords()),
    profiles,
    mailQuota,
    sessionIndex: sessions.sessionIndex,
    oneTimeTokens: sessions.oneTimeTokens,
    refreshTokens: sessions.refreshTokens,
    accessTokens,
    email: queues.email,
    network: queues.network,
    publicUrl: config.publicUrl,
    logins: new Counter({
      name: 'auth_logins_total',
      help: 'Sign-in attempts (sessions and API tokens) by outcome.',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    logger,
  });
  const realtime = buildRealtime({ config, redis, registry, logger });
  const network = buildNetwork({
    config,
    registry,
    live: realtime.feed,
    database,
    cache,
    queues,
    queueDeps,
    mailQuota,
    profiles,
    accounts,
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
    queues: { ...queues, all: Object.values(queues) as QueueProducer<JobDefinitions>[] },
    networkWorker: network.networkWorker,
    outboxRelay: network.outboxRelay,
    notifications: network.notifications,
    sessionStore: sessions.sessionStore,
    sessionIndex: sessions.sessionIndex,
    accessTokens,
    accessTokenRevocations: sessions.accessTokenRevocations,
    accounts,
    cache,
    profiles,
    organizations: network.organizations,
    referrals: network.referrals,
    invites: network.invites,
    profileResponseCache: profileResponseCache(cache, accessTokens),
    rateLimiters,
    realtime,
    isShuttingDown: () => shuttingDown,
    beginShutdown() {
      shuttingDown = true;
    },
    shutdown() {
      shuttingDown = true;
      closing ??= (async () => {
        // Live clients are told to reconnect (to another instance) and taken off presence.
        await realtime.hub.drain();
        // The relay's pass under way ends before the queues and the database close.
        await network.outboxRelay.stop();
        // Running jobs finish (or are handed back) before the database they use closes.
        await network.networkWorker.close();
        await Promise.all(Object.values(queues).map((queue) => queue.close()));
        // Its last attempt at invalidations still pending needs Redis, closed below.
        await cache.close();
        await sessions.accessTokenRevocations.close();
        await database.close();
        await redis.close(config.shutdownTimeoutMs);
      })();
      return closing;
    },
  };
}
