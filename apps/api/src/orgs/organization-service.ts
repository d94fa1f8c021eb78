// Organizations and membership rules: who may see and change what. Details are cached (tag `org:<id>`),
// and every write that changes them (rename, members joining or leaving) invalidates that tag.
import type { Cache } from '@rnh/cache';
import { cacheTags } from '../cache/tags.js';
import type { MemberRole } from '../db/schema.js';
import { isUuid } from '../db/uuid.js';
import { HttpError } from '../http/errors.js';
import { toPage, type Page, type PageRequest } from '../http/pagination.js';
import type {
  Member,
  Membership,
  Organization,
  OrganizationsRepository,
} from './organizations-repository.js';

export interface OrganizationServiceDeps {
  organizations: OrganizationsRepository;
  /** The `orgs` namespace of the api's cache. */
  cache: Cache;
}

const MISSING_ORGANIZATION_TTL_SECONDS = 30;

/** Roles that may manage an organization: edit it, invite, remove members. */
const MANAGERS: readonly MemberRole[] = ['owner', 'admin'];

export class OrganizationService {
  constructor(private readonly deps: OrganizationServiceDeps) {}

  async create(ownerId: string, input: { name: string; description: string }): Promise<Organization> {
    return this.deps.organizations.create({ ...input, ownerId });
  }

  /** The organization's details (any signed-in user may see them: organizations refer to each other); 404 when none. */
  async get(organizationId: string): Promise<Organization> {
    const organization = isUuid(organizationId)
      ? await this.deps.cache.getOrSet(
          organizationId,
          async () => (await this.deps.organizations.findById(organizationId)) ?? null,
          {
            ttl: 'long',
            tags: [cacheTags.organization(organizationId)],
            negativeTtlSeconds: MISSING_ORGANIZATION_TTL_SECONDS,
          },
        )
      : null;
    if (!organization) throw notFound();
    return organization;
  }

  async update(
    actorId: string,
    organizationId: string,
    changes: { name?: string; description?: string },
  ): Promise<Organization> {
    await this.requireRole(actorId, organizationId, MANAGERS);
    await this.deps.organizations.update(organizationId, changes);
    await this.changed(organizationId);
    return this.get(organizationId);
  }

  async membershipsOf(userId: string, page: PageRequest): Promise<Page<Membership>> {
    const rows = await this.deps.organizations.membershipsOf(userId, page);
    return toPage(rows, page.limit, ({ organization, role, joinedAt }) => ({ organization, role, joinedAt }));
  }

  /** The ids of the user's organizations (at most `limit`): whose members' presence they follow. */
  organizationIdsOf(userId: string, limit = 100): Promise<string[]> {
    return this.deps.organizations.organizationIdsOf(userId, limit);
  }

  async members(actorId: string, organizationId: string, page: PageRequest): Promise<Page<Member>> {
    await this.requireMember(actorId, organizationId);
    const rows = await this.deps.organizations.members(organizationId, page);
    return toPage(rows, page.limit, ({ userId, displayName, role, joinedAt }) => ({
      userId,
      displayName,
      role,
      joinedAt,
    }));
  }

  /** Adds a member (an accepted invite); false when they already were one. */
  async addMember(organizationId: string, userId: string, role: MemberRole): Promise<boolean> {
    const added = await this.deps.organizations.addMember(organizationId, userId, role);
    if (added) await this.changed(organizationId);
    return added;
  }

  /** Managers remove anyone; every member may leave. The last owner cannot go. */
  async removeMember(actorId: string, organizationId: string, userId: string): Promise<void> {
    if (actorId !== userId) await this.requireRole(actorId, organizationId, MANAGERS);
    else await this.requireMember(actorId, organizationId);
    const outcome = await this.deps.organizations.removeMember(organizationId, userId);
    if (outcome === 'not_member') throw new HttpError(404, 'member_not_found', 'No such member.');
    if (outcome === 'last_owner')
      throw new HttpError(
        409,
        'last_owner',
        'An organization needs an owner: make someone else owner first.',
      );
    await this.changed(organizationId);
  }

  /**
   * Call after any write that changes what an organization shows (details, members). Never throws:
   * the write has happened, and an invalidation Redis does not take is retried (see invalidateTags).
   */
  changed(organizationId: string): Promise<void> {
    return this.deps.cache.invalidateTags(cacheTags.organization(organizationId));
  }

  /** The actor's role in the organization, or undefined when they are not a member. */
  roleOf(actorId: string, organizationId: string): Promise<MemberRole | undefined> {
    return this.deps.organizations.roleOf(organizationId, actorId);
  }

  /** The actor's role; 404 when the organization does not exist, 403 when the actor is not a member. */
  async requireMember(actorId: string, organizationId: string): Promise<MemberRole> {
    const role = await this.roleOf(actorId, organizationId);
    if (role) return role;
    await this.get(organizationId); // 404 when there is no such organization
    throw new HttpError(403, 'not_a_member', 'Only members of this organization may do that.');
  }

  async requireRole(
    actorId: string,
    organizationId: string,
    roles: readonly MemberRole[],
  ): Promise<MemberRole> {
    const role = await this.requireMember(actorId, organizationId);
    if (!roles.includes(role))
      throw new HttpError(403, 'forbidden', `Only an organization ${roles.join(' or ')} may do that.`);
    return role;
  }
}

function notFound(): HttpError {
  return new HttpError(404, 'organization_not_found', 'No such organization.');
}
