// Inviting people into an organization by email, and accepting. The link's token is 256 random
// bits; only its sha256 is stored. Accepting needs the invited address: a token forwarded to
// someone else's account is refused without being used up. Both writes record their event in the
// outbox in the same transaction (the invite's mail; `member_joined`), so neither is lost when
// Redis is down: the relay queues it once Redis is back.
import { createHash, randomBytes } from 'node:crypto';
import type { EmailJobs, NetworkJobs } from '@rnh/jobs';
import type { PayloadInput } from '@rnh/queue';
import { HttpError } from '../http/errors.js';
import { toPage, type Page, type PageRequest } from '../http/pagination.js';
import type { MailQuota } from '../limits/mail-quota.js';
import type { OrganizationService } from '../orgs/organization-service.js';
import type { Organization } from '../orgs/organizations-repository.js';
import type { OutboxRepository } from '../outbox/outbox-repository.js';
import type { UserProfiles } from '../users/user-profiles.js';
import type { Invite, InviteRole, InvitesRepository } from './invites-repository.js';

export interface InviteServiceDeps {
  invites: InvitesRepository;
  organizations: OrganizationService;
  profiles: UserProfiles;
  /**
   * Runs a write and the outbox event it causes in one database transaction. The invite's mail
   * goes to the outbox with its link sealed (the outbox seals the `secret` fields of the job).
   */
  transact<T>(work: (tx: { invites: InvitesRepository; outbox: OutboxRepository }) => Promise<T>): Promise<T>;
  /** Told after each commit, so the event is relayed at once rather than at the relay's next beat. */
  relay: { nudge(): void };
  mailQuota: Pick<MailQuota, 'take'>;
  publicUrl: string;
  ttlSeconds: number;
}

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export class InviteService {
  constructor(private readonly deps: InviteServiceDeps) {}

  /** Owners invite admins and members; admins invite members. Emails the link. */
  async invite(
    actorId: string,
    organizationId: string,
    input: { email: string; role: InviteRole },
  ): Promise<Invite> {
    const actorRole = await this.deps.organizations.requireRole(actorId, organizationId, ['owner', 'admin']);
    if (input.role === 'admin' && actorRole !== 'owner')
      throw new HttpError(403, 'forbidden', 'Only an owner may invite admins.');
    await this.deps.mailQuota.take({ userId: actorId, address: input.email });
    const organization = await this.deps.organizations.get(organizationId);
    const inviter = await this.deps.profiles.get(actorId);
    const token = randomBytes(32).toString('base64url');
    const link = `${this.deps.publicUrl}/invites/accept?token=${encodeURIComponent(token)}`;
    const invite = await this.deps.transact(async (tx) => {
      const created = await tx.invites.create({
        organizationId,
        email: input.email,
        role: input.role,
        invitedBy: actorId,
        tokenHash: hashToken(token),
        expiresAt: new Date(Date.now() + this.deps.ttlSeconds * 1000),
      });
      const mail: PayloadInput<EmailJobs, 'invite'> = {
        to: created.email,
        inviterName: inviter?.displayName ?? 'Someone',
        organizationName: organization.name,
        link,
      };
      await tx.outbox.add({
        aggregate: `invite:${created.id}`,
        queue: 'email',
        job: 'invite',
        payload: mail,
        idempotencyKey: `invite:${created.id}:sent`,
      });
      return created;
    });
    this.deps.relay.nudge();
    return invite;
  }

  async listOpen(actorId: string, organizationId: string, page: PageRequest): Promise<Page<Invite>> {
    await this.deps.organizations.requireRole(actorId, organizationId, ['owner', 'admin']);
    return toPage(await this.deps.invites.listOpen(organizationId, page), page.limit, (invite) => invite);
  }

  async revoke(actorId: string, organizationId: string, inviteId: string): Promise<void> {
    await this.deps.organizations.requireRole(actorId, organizationId, ['owner', 'admin']);
    if (!(await this.deps.invites.revoke(organizationId, inviteId)))
      throw new HttpError(404, 'invite_not_found', 'No such open invite.');
  }

  /** The open invite behind a mailed link, and its organization, without using the link up. */
  async preview(token: string): Promise<{ invite: Invite; organization: Organization }> {
    const invite = await this.openInvite(token);
    return { invite, organization: await this.deps.organizations.get(invite.organizationId) };
  }

  /** The signed-in user joins the organization; answers the invite (now accepted). */
  async accept(userId: string, token: string): Promise<Invite> {
    const invite = await this.openInvite(token);
    const user = await this.deps.profiles.get(userId);
    if (!user || user.email !== invite.email)
      throw new HttpError(
        403,
        'invite_for_another_email',
        'This invitation was sent to another email address: sign in with that account to accept it.',
      );
    const accepted = await this.deps.transact(async (tx) => {
      const done = await tx.invites.accept(invite.id, userId);
      if (done?.joined) {
        const joined: PayloadInput<NetworkJobs, 'member_joined'> = {
          inviteId: invite.id,
          organizationId: done.organizationId,
          userId,
          role: done.role,
        };
        await tx.outbox.add({
          aggregate: `organization:${done.organizationId}`,
          queue: 'network',
          job: 'member_joined',
          payload: joined,
          idempotencyKey: `invite:${invite.id}:member_joined`,
        });
      }
      return done;
    });
    if (!accepted)
      throw new HttpError(
        400,
        'invalid_token',
        'That invitation has expired, was revoked or was already used.',
      );
    this.deps.relay.nudge();
    // At once, so the one who joined sees the new member count; the `member_joined` job does it
    // again, which holds even if this process stops before a failed invalidation is retried.
    await this.deps.organizations.changed(invite.organizationId);
    return { ...invite, acceptedAt: new Date() };
  }

  /** The invite of this token while it can still be accepted; 400 invalid_token otherwise. */
  private async openInvite(token: string): Promise<Invite> {
    const invite = TOKEN_SHAPE.test(token)
      ? await this.deps.invites.findByTokenHash(hashToken(token))
      : undefined;
    if (!invite) throw new HttpError(400, 'invalid_token', 'That link or token is not valid.');
    if (invite.acceptedAt || invite.revokedAt || invite.expiresAt.getTime() <= Date.now())
      throw new HttpError(
        400,
        'invalid_token',
        'That invitation has expired, was revoked or was already used.',
      );
    return invite;
  }
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
