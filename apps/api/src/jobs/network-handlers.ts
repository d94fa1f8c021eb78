// The database-side jobs (the `network` queue), run by the api processes: a referral event becomes
// notifications and mail for the members of both organizations; a member who joined becomes a
// notification for the organization's owners and admins; the daily digest; invite cleanup;
// password-reset requests. Every step is safe to retry: notifications are unique per (user,
// referral or invite, kind), each referral email job carries an idempotency key, and a retried
// reset request mails a new link that revokes the earlier one.
import type { EmailJobs, LiveEvents, NetworkJobs } from '@rnh/jobs';
import type { JobHandlers, QueueProducer } from '@rnh/queue';
import type { EventFeed } from '@rnh/realtime';
import type { Kysely } from 'kysely';
import type { AccountService } from '../auth/account-service.js';
import type { DatabaseSchema } from '../db/schema.js';
import type { InvitesRepository } from '../invites/invites-repository.js';
import type { NotificationsRepository } from '../notifications/notifications-repository.js';
import type { OrganizationService } from '../orgs/organization-service.js';
import type { OrganizationsRepository } from '../orgs/organizations-repository.js';
import type { OutboxRepository } from '../outbox/outbox-repository.js';
import { pendingReferralsByMember, type ReferralsRepository } from '../referrals/referrals-repository.js';

export interface NetworkHandlerDeps {
  db: Kysely<DatabaseSchema>;
  organizations: OrganizationsRepository;
  referrals: ReferralsRepository;
  invites: InvitesRepository;
  notifications: NotificationsRepository;
  outbox: Pick<OutboxRepository, 'deleteSentBefore'>;
  /** Invalidates what the api caches of an organization (its details and member count). */
  organizationCache: Pick<OrganizationService, 'changed'>;
  email: Pick<QueueProducer<EmailJobs>, 'enqueue'>;
  live: Pick<EventFeed<LiveEvents>, 'publishToMany'>;
  passwordResets: Pick<AccountService, 'sendPasswordReset'>;
  publicUrl: string;
}

/** Invites that expired or were revoked this long ago are deleted. */
const STALE_INVITE_DAYS = 30;
/** Outbox events stay this long after they were queued (to look into what was relayed, and when). */
const SENT_OUTBOX_DAYS = 7;

const EVENT_WORDS = {
  created: 'referred',
  accepted: 'accepted',
  declined: 'declined',
  completed: 'completed',
};

export function networkHandlers(deps: NetworkHandlerDeps): JobHandlers<NetworkJobs> {
  return {
    async referral_event({ referralId, event, actorId }, { logger }) {
      const referral = await deps.referrals.findById(referralId);
      if (!referral)
        return logger.info({ referralId }, 'referral gone before its event was handled; nothing to notify');
      const [from, to] = await Promise.all([
        deps.organizations.findById(referral.fromOrganizationId),
        deps.organizations.findById(referral.toOrganizationId),
      ]);
      if (!from || !to)
        return logger.info(
          { referralId },
          'organization gone before the event was handled; nothing to notify',
        );
      // Everyone in either organization but the person who acted; someone in both is told once.
      const members = await deps.organizations.memberContacts([from.id, to.id]);
      const recipients = new Map(
        members.filter((member) => member.userId !== actorId).map((member) => [member.userId, member]),
      );
      const message =
        event === 'created'
          ? `${from.name} referred ${referral.candidateName} to ${to.name}.`
          : `${to.name} ${EVENT_WORDS[event]} the referral of ${referral.candidateName} from ${from.name}.`;
      const kind = `referral_${event}`;
      const added = await deps.notifications.addForUsers([...recipients.keys()], {
        referralId,
        kind,
        message,
      });
      // Live, after storing: a retried job publishes again, and clients know a notification by
      // (referralId, kind). Every member sees the status change, the one who acted too.
      await deps.live.publishToMany([...recipients.keys()], 'notification', { kind, message, referralId });
      await deps.live.publishToMany(
        [...new Set(members.map((member) => member.userId))],
        'referral.updated',
        {
          referralId,
          event,
          fromOrganizationId: from.id,
          toOrganizationId: to.id,
        },
      );
      for (const member of recipients.values()) {
        await deps.email.enqueue(
          'referral_update',
          {
            to: member.email,
            displayName: member.displayName,
            candidateName: referral.candidateName,
            event,
            fromOrganization: from.name,
            toOrganization: to.name,
            link: `${deps.publicUrl}/referrals/${referral.id}`,
          },
          { idempotencyKey: `referral:${referral.id}:${event}:${member.userId}` },
        );
      }
      logger.info({ recipients: recipients.size, notifications: added }, 'referral event fanned out');
    },

    async member_joined({ inviteId, organizationId, userId, role }, { logger }) {
      // The member count changed: every instance's cached details go (the request that accepted
      // did it too, but only this job is sure to run).
      await deps.organizationCache.changed(organizationId);
      const organization = await deps.organizations.findById(organizationId);
      const members = organization ? await deps.organizations.memberContacts([organizationId]) : [];
      const joiner = members.find((member) => member.userId === userId);
      if (!organization || !joiner)
        return logger.info(
          { organizationId },
          'organization or member gone before the event was handled; nothing to notify',
        );
      // The owners and admins, but not the one who joined (an invite may make them admin).
      const managers = members
        .filter((member) => member.userId !== userId && (member.role === 'owner' || member.role === 'admin'))
        .map((member) => member.userId);
      const kind = 'member_joined';
      const message = `${joiner.displayName} joined ${organization.name} as ${role === 'admin' ? 'an admin' : 'a member'}.`;
      const added = await deps.notifications.addForUsers(managers, { inviteId, kind, message });
      // Live, after storing: a retried job publishes again, and clients know it by (inviteId, kind).
      await deps.live.publishToMany(managers, 'notification', { kind, message, referralId: null, inviteId });
      logger.info({ recipients: managers.length, notifications: added }, 'member joined fanned out');
    },

    password_reset_request: ({ email }) => deps.passwordResets.sendPasswordReset(email),

    async daily_digest(_payload, { logger, enqueuedAt }) {
      const day = enqueuedAt.toISOString().slice(0, 10);
      const byMember = new Map<
        string,
        { email: string; displayName: string; organizations: { name: string; pending: number }[] }
      >();
      for (const row of await pendingReferralsByMember(deps.db)) {
        const entry = byMember.get(row.userId) ?? {
          email: row.email,
          displayName: row.displayName,
          organizations: [],
        };
        entry.organizations.push({ name: row.organizationName, pending: row.pending });
        byMember.set(row.userId, entry);
      }
      for (const [userId, member] of byMember) {
        await deps.email.enqueue(
          'referral_digest',
          {
            to: member.email,
            displayName: member.displayName,
            organizations: member.organizations,
            link: `${deps.publicUrl}/referrals?status=pending`,
          },
          { idempotencyKey: `digest:${day}:${userId}` },
        );
      }
      logger.info({ recipients: byMember.size }, 'daily referral digest queued');
    },

    async expired_invites_cleanup(_payload, { logger }) {
      const deleted = await deps.invites.deleteStale(STALE_INVITE_DAYS);
      logger.info({ deleted }, 'stale invites deleted');
    },

    async outbox_cleanup(_payload, { logger }) {
      const deleted = await deps.outbox.deleteSentBefore(SENT_OUTBOX_DAYS);
      logger.info({ deleted }, 'relayed outbox events deleted');
    },
  };
}
