// The referral network: organizations, referrals, invites and notifications, read through the
// cache, and the worker of the `network` queue (it needs the database, which the api owns).
import type { Cache } from '@rnh/cache';
import { emailQueue, networkQueue, type EmailJobs, type LiveEvents, type NetworkJobs } from '@rnh/jobs';
import { QueueWorker, Sealer, type QueueDeps, type QueueProducer } from '@rnh/queue';
import type { EventFeed } from '@rnh/realtime';
import type { Logger } from '@rnh/telemetry';
import type { Registry } from 'prom-client';
import type { AccountService } from '../auth/account-service.js';
import { cacheNamespaces } from '../cache/namespaces.js';
import type { ApiConfig } from '../config.js';
import type { Database } from '../db/database.js';
import { InviteService } from '../invites/invite-service.js';
import { InvitesRepository } from '../invites/invites-repository.js';
import { networkHandlers } from '../jobs/network-handlers.js';
import type { MailQuota } from '../limits/mail-quota.js';
import { NotificationsRepository } from '../notifications/notifications-repository.js';
import { OrganizationService } from '../orgs/organization-service.js';
import { OrganizationsRepository } from '../orgs/organizations-repository.js';
import { ReferralService } from '../referrals/referral-service.js';
import { createOutboxMetrics } from '../outbox/outbox-metrics.js';
import { OutboxPayloads } from '../outbox/outbox-payloads.js';
import { OutboxRelay, type OutboxQueue } from '../outbox/outbox-relay.js';
import { OutboxRepository } from '../outbox/outbox-repository.js';
import { ReferralsRepository } from '../referrals/referrals-repository.js';
import type { UserProfiles } from '../users/user-profiles.js';

export function buildNetwork(deps: {
  config: ApiConfig;
  database: Database;
  cache: Cache;
  queues: { email: QueueProducer<EmailJobs>; network: QueueProducer<NetworkJobs> };
  queueDeps: QueueDeps;
  registry: Registry;
  /** Where notifications and referral changes are published live. */
  live: Pick<EventFeed<LiveEvents>, 'publishToMany'>;
  mailQuota: MailQuota;
  profiles: UserProfiles;
  /** Handles password-reset requests queued by the route. */
  accounts: Pick<AccountService, 'sendPasswordReset'>;
  logger: Logger;
}) {
  const { config, database, cache, queues } = deps;
  const repositories = {
    organizations: new OrganizationsRepository(database.db),
    referrals: new ReferralsRepository(database.db),
    invites: new InvitesRepository(database.db),
    notifications: new NotificationsRepository(database.db),
  };
  const organizations = new OrganizationService({
    organizations: repositories.organizations,
    cache: cache.namespace(cacheNamespaces.organizations),
  });
  // The secret fields of outbox events (an invite mail's link) are sealed with a key derived from
  // JOB_SECRET_KEY for the outbox alone: the database never holds them readable.
  const outboxPayloads = new OutboxPayloads(new Sealer(config.jobSecretKey, { purpose: 'outbox' }), {
    email: emailQueue,
    network: networkQueue,
  });
  const outbox = new OutboxRepository(database.db, outboxPayloads);
  // Domain events wait in the database until the queue has them (Redis down: they are relayed later).
  const outboxRelay = new OutboxRelay({
    outbox,
    queues: {
      email: queues.email as unknown as OutboxQueue,
      network: queues.network as unknown as OutboxQueue,
    },
    payloads: outboxPayloads,
    metrics: createOutboxMetrics(deps.registry, outbox),
    logger: deps.logger,
  });
  const referrals = new ReferralService({
    referrals: repositories.referrals,
    transact: (work) =>
      database.db.transaction().execute((tx) =>
        work({
          referrals: new ReferralsRepository(tx),
          outbox: new OutboxRepository(tx, outboxPayloads),
        }),
      ),
    relay: outboxRelay,
    organizations,
    cache: cache.namespace(cacheNamespaces.referrals),
  });
  const invites = new InviteService({
    invites: repositories.invites,
    organizations,
    profiles: deps.profiles,
    transact: (work) =>
      database.db
        .transaction()
        .execute((tx) =>
          work({ invites: new InvitesRepository(tx), outbox: new OutboxRepository(tx, outboxPayloads) }),
        ),
    relay: outboxRelay,
    mailQuota: deps.mailQuota,
    publicUrl: config.publicUrl,
    ttlSeconds: config.tokens.inviteTtlSeconds,
  });
  const networkWorker = new QueueWorker(deps.queueDeps, networkQueue, {
    concurrency: 4,
    name: `api:${process.pid}`,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
    handlers: networkHandlers({
      db: database.db,
      ...repositories,
      outbox,
      organizationCache: organizations,
      email: queues.email,
      live: deps.live,
      passwordResets: deps.accounts,
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
      'outbox-cleanup': { job: 'outbox_cleanup', payload: {}, cron: '45 3 * * *', tz: 'UTC' },
    },
  });
  return {
    organizations,
    referrals,
    invites,
    notifications: repositories.notifications,
    networkWorker,
    outbox,
    outboxRelay,
  };
}
