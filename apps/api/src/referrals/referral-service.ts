// Referrals between organizations: who may make, see and move them. Listings are cached per
// organization, direction, status and page (tag `org:<id>:referrals`); every write that changes a
// listing (a new referral, a status change) invalidates the tags of both organizations.
import type { Cache } from '@rnh/cache';
import { cacheTags } from '../cache/tags.js';
import { HttpError } from '../http/errors.js';
import { encodeCursor, toPage, type Page, type PageRequest } from '../http/pagination.js';
import type { OrganizationService } from '../orgs/organization-service.js';
import type { OutboxRepository } from '../outbox/outbox-repository.js';
import type { Referral, ReferralListing, ReferralsRepository } from './referrals-repository.js';
import { REFERRAL_TRANSITIONS, type ReferralAction } from './status.js';

type ReferralEvent = 'created' | (typeof REFERRAL_TRANSITIONS)[ReferralAction]['to'];

export interface ReferralServiceDeps {
  referrals: ReferralsRepository;
  organizations: OrganizationService;
  /** The `referrals` namespace of the api's cache. */
  cache: Cache;
  /**
   * Runs a write and the outbox event it causes in one database transaction: each change becomes a
   * `referral_event` job (notifications, live events and mail for both organizations) once the
   * relay has queued it, even if Redis was down when the change was made.
   */
  transact<T>(
    work: (tx: { referrals: ReferralsRepository; outbox: OutboxRepository }) => Promise<T>,
  ): Promise<T>;
  /** Told after each commit, so the event is relayed at once rather than at the relay's next beat. */
  relay: { nudge(): void };
}

export interface ReferralInput {
  toOrganizationId: string;
  candidateName: string;
  candidateEmail?: string | undefined;
  note?: string | undefined;
}

export class ReferralService {
  constructor(private readonly deps: ReferralServiceDeps) {}

  /** A member refers a candidate from their organization to another one. */
  async create(actorId: string, fromOrganizationId: string, input: ReferralInput): Promise<Referral> {
    await this.deps.organizations.requireMember(actorId, fromOrganizationId);
    if (input.toOrganizationId === fromOrganizationId)
      throw new HttpError(400, 'invalid_request', 'toOrganizationId: must be another organization');
    await this.deps.organizations.get(input.toOrganizationId); // 404 when there is no such organization
    const referral = await this.deps.transact(async (tx) => {
      const created = await tx.referrals.create({ ...input, fromOrganizationId, createdBy: actorId });
      await recordEvent(tx.outbox, created.id, 'created', actorId);
      return created;
    });
    this.deps.relay.nudge();
    await this.invalidateListings(referral);
    return referral;
  }

  /** Members of either organization may see a referral; to anyone else it does not exist. */
  async get(actorId: string, referralId: string): Promise<Referral> {
    return (await this.withRoles(actorId, referralId)).referral;
  }

  async list(actorId: string, listing: ReferralListing, page: PageRequest): Promise<Page<Referral>> {
    await this.deps.organizations.requireMember(actorId, listing.organizationId);
    const key = [
      listing.organizationId,
      listing.direction,
      listing.status ?? 'any',
      page.limit,
      page.after ? encodeCursor(page.after) : 'first',
    ].join(':');
    return this.deps.cache.getOrSet(
      key,
      async () => toPage(await this.deps.referrals.list(listing, page), page.limit, (referral) => referral),
      { ttl: 'short', tags: [cacheTags.referrals(listing.organizationId)] },
    );
  }

  /** Accept, decline or complete: for members of the receiving organization, from the right status only. */
  async act(actorId: string, referralId: string, action: ReferralAction): Promise<Referral> {
    const { referral, receiving } = await this.withRoles(actorId, referralId);
    if (!receiving)
      throw new HttpError(403, 'forbidden', `Only the receiving organization may ${action} a referral.`);
    const { from, to } = REFERRAL_TRANSITIONS[action];
    const moved = await this.deps.transact(async (tx) => {
      const changed = await tx.referrals.transition(referral.id, from, to, actorId);
      if (changed) await recordEvent(tx.outbox, changed.id, to, actorId);
      return changed;
    });
    if (!moved) {
      const current = (await this.deps.referrals.findById(referral.id))?.status ?? referral.status;
      throw new HttpError(
        409,
        'referral_status_conflict',
        `The referral is ${current}; only a ${from} referral can be ${to}.`,
      );
    }
    this.deps.relay.nudge();
    await this.invalidateListings(moved);
    return moved;
  }

  /** The referral and whether the actor is in the receiving organization; 404 unless they are in either. */
  private async withRoles(
    actorId: string,
    referralId: string,
  ): Promise<{ referral: Referral; receiving: boolean }> {
    const referral = await this.deps.referrals.findById(referralId);
    if (!referral) throw notFound();
    const [from, to] = await Promise.all([
      this.deps.organizations.roleOf(actorId, referral.fromOrganizationId),
      this.deps.organizations.roleOf(actorId, referral.toOrganizationId),
    ]);
    if (from === undefined && to === undefined) throw notFound();
    return { referral, receiving: to !== undefined };
  }

  private invalidateListings(referral: Referral): Promise<void> {
    return this.deps.cache.invalidateTags(
      cacheTags.referrals(referral.fromOrganizationId),
      cacheTags.referrals(referral.toOrganizationId),
    );
  }
}

function notFound(): HttpError {
  return new HttpError(404, 'referral_not_found', 'No such referral.');
}

/** The event of a referral's change, in the outbox: relayed in order per referral. */
function recordEvent(
  outbox: OutboxRepository,
  referralId: string,
  event: ReferralEvent,
  actorId: string,
): Promise<void> {
  return outbox.add({
    aggregate: `referral:${referralId}`,
    queue: 'network',
    job: 'referral_event',
    payload: { referralId, event, actorId },
    idempotencyKey: `referral:${referralId}:${event}`,
  });
}
