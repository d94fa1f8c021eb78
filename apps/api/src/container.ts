// The api's composition root: builds every dependency once from the config and owns the shutdown order.
import { join, resolve } from 'node:path';
import { Cache, responseCache } from '@rnh/cache';
import {
  emailQueue,
  keyspaces,
  maintenanceQueue,
  networkQueue,
  type EmailJobs,
  type NetworkJobs,
} from '@rnh/jobs';
import { QueueProducer, QueueWorker, type JobDefinitions } from '@rnh/queue';
import { RedisConnections } from '@rnh/redis-client';
import {
  OneTimeTokens,
  RedisSessionStore,
  RefreshTokens,
  SessionIndex,
  createSessionMetrics,
} from '@rnh/sessions';
import { createLogger, createMetricsRegistry, type Logger } from '@rnh/telemetry';
import type { IncomingMessage } from 'node:http';
import type { Request, RequestHandler } from 'express';
import { Counter, type Registry } from 'prom-client';
import { AccessTokens } from './auth/access-tokens.js';
import { AccountService } from './auth/account-service.js';
import { identify } from './auth/authenticate.js';
import { CacheInvalidator } from './cache/invalidator.js';
import { cacheNamespaces } from './cache/namespaces.js';
import { cacheTags } from './cache/tags.js';
import type { ApiConfig } from './config.js';
import { createDatabase, type Database } from './db/database.js';
import { networkHandlers } from './jobs/network-handlers.js';
import { NotificationsRepository } from './notifications/notifications-repository.js';
import { InviteService } from './invites/invite-service.js';
import { MailQuota } from './limits/mail-quota.js';
import { createRateLimiters, type RateLimiters } from './limits/rate-limiters.js';
import { InvitesRepository } from './invites/invites-repository.js';
import { OrganizationService } from './orgs/organization-service.js';
import { OrganizationsRepository } from './orgs/organizations-repository.js';
import { ReferralService } from './referrals/referral-service.js';
import { ReferralsRepository } from './referrals/referrals-repository.js';
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
  notifications: NotificationsRepository;
  sessionStore: RedisSessionStore;
  sessionIndex: SessionIndex;
  accessTokens: AccessTokens;
  accounts: AccountService;
  cache: Cache;
  profiles: UserProfiles;
  organizations: OrganizationService;
  referrals: ReferralService;
  invites: InviteService;
  rateLimiters: RateLimiters;
  /** Response cache of GET /me: private to the caller, invalidated with their profile. */
  profileResponseCache: RequestHandler;
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
  const queueDeps = { connections: redis, logger, registry };
  const queues = {
    email: new QueueProducer(queueDeps, emailQueue),
    network: new QueueProducer(queueDeps, networkQueue),
    maintenance: new QueueProducer(queueDeps, maintenanceQueue),
  };

  const sessionMetrics = createSessionMetrics(registry);
  const sessionKeys = redis.keys.child(keyspaces.sessions);
  const sessionIndex = new SessionIndex({
    redis: commands,
    keys: redis.keys.child(keyspaces.sessionIndex),
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
    keys: redis.keys.child(keyspaces.oneTimeTokens),
    ttlSeconds: {
      email_verification: config.tokens.emailVerificationTtlSeconds,
      password_reset: config.tokens.passwordResetTtlSeconds,
    },
    metrics: sessionMetrics,
    logger,
  });
  const refreshTokens = new RefreshTokens({
    redis: commands,
    keys: redis.keys.child(keyspaces.refreshTokens),
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
  const cache = new Cache(
    {
      redis: commands,
      keys: redis.keys.child('cache'),
      logger,
      registry,
      // The L1 invalidation bus: without it another instance's writes would reach this L1 only by TTL.
      subscriber: config.cache.l1 ? redis.shared('subscriber') : undefined,
    },
    {
      name: 'api',
      ttlPresets: config.cache.ttlPresets,
      graceSeconds: config.cache.graceSeconds,
      jitter: config.cache.jitter,
      operationTimeoutMs: config.cache.operationTimeoutMs,
      l1: config.cache.l1,
    },
  );
  const invalidator = new CacheInvalidator({ cache, logger });
  const referralsRepository = new ReferralsRepository(database.db);
  const organizationsRepository = new OrganizationsRepository(database.db);
  const invitesRepository = new InvitesRepository(database.db);
  const notifications = new NotificationsRepository(database.db);
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
  const profiles = new UserProfiles({ users, cache: cache.namespace(cacheNamespaces.users), invalidator });
  const organizations = new OrganizationService({
    organizations: organizationsRepository,
    cache: cache.namespace(cacheNamespaces.organizations),
    invalidator,
  });
  const referrals = new ReferralService({
    referrals: referralsRepository,
    network: queues.network,
    logger,
    organizations,
    cache: cache.namespace(cacheNamespaces.referrals),
    invalidator,
  });
  const invites = new InviteService({
    invites: invitesRepository,
    organizations,
    profiles,
    invalidator,
    email: queues.email,
    mailQuota,
    publicUrl: config.publicUrl,
    ttlSeconds: config.tokens.inviteTtlSeconds,
  });
  // responseCache is plain-Node typed; mounted in Express, the request it gets is Express's.
  const callerId = (req: IncomingMessage) => identify(req as Request, accessTokens)?.userId;
  const profileResponseCache = responseCache(cache.namespace(cacheNamespaces.responses), {
    ttl: 'medium',
    user: (req) => callerId(req),
    tags: (req) => [cacheTags.user(callerId(req)!)],
  }) as RequestHandler;

  const accounts = new AccountService({
    users,
    profiles,
    mailQuota,
    sessionIndex,
    oneTimeTokens,
    refreshTokens,
    accessTokens,
    email: queues.email,
    publicUrl: config.publicUrl,
    logins,
    logger,
  });

  const networkWorker = new QueueWorker(queueDeps, networkQueue, {
    concurrency: 4,
    name: `api:${process.pid}`,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
    handlers: networkHandlers({
      db: database.db,
      organizations: organizationsRepository,
      referrals: referralsRepository,
      invites: invitesRepository,
      notifications,
      email: queues.email,
      publicUrl: config.publicUrl,
    }),
    schedules: {
      'daily-digest': { job: 'daily_digest', payload: {}, cron: '0 7 * * *', tz: 'UTC' },
      'expired-invites-cleanup': {
        job: 'expired_invites_cleanup',
        payload: {},
        cron: '30 3 * * *',
        tz: 'UTC',
      },
    },
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
    networkWorker,
    notifications,
    sessionStore,
    sessionIndex,
    accessTokens,
    accounts,
    cache,
    profiles,
    organizations,
    referrals,
    invites,
    profileResponseCache,
    rateLimiters,
    isShuttingDown: () => shuttingDown,
    shutdown() {
      shuttingDown = true;
      closing ??= (async () => {
        // Running jobs finish (or are handed back) before the database they use closes.
        await networkWorker.close();
        await Promise.all(Object.values(queues).map((queue) => queue.close()));
        await invalidator.close();
        await cache.close();
        await database.close();
        await redis.close(config.shutdownTimeoutMs);
      })();
      return closing;
    },
  };
}
