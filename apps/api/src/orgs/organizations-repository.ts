// Organizations and their memberships in the database, as plain objects.
import { sql, type Kysely } from 'kysely';
import type { DatabaseSchema, MemberRole } from '../db/schema.js';
import { newestFirstPage } from '../db/keyset.js';
import { isUuid } from '../db/uuid.js';
import type { PageRequest } from '../http/pagination.js';

export interface Organization {
  id: string;
  name: string;
  description: string;
  memberCount: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface Membership {
  organization: Pick<Organization, 'id' | 'name'>;
  role: MemberRole;
  joinedAt: Date;
}

export interface Member {
  userId: string;
  displayName: string;
  role: MemberRole;
  joinedAt: Date;
}

export class OrganizationsRepository {
  constructor(private readonly db: Kysely<DatabaseSchema>) {}

  /** Creates the organization with its creator as owner, in one transaction. */
  async create(input: { name: string; description: string; ownerId: string }): Promise<Organization> {
    const id = await this.db.transaction().execute(async (tx) => {
      const row = await tx
        .insertInto('organizations')
        .values({ name: input.name, description: input.description, created_by: input.ownerId })
        .returning('id')
        .executeTakeFirstOrThrow();
      await tx
        .insertInto('memberships')
        .values({ organization_id: row.id, user_id: input.ownerId, role: 'owner' })
        .execute();
      return row.id;
    });
    return (await this.findById(id))!;
  }

  async findById(id: string): Promise<Organization | undefined> {
    if (!isUuid(id)) return undefined;
    const row = await this.db
      .selectFrom('organizations as o')
      .select(['o.id', 'o.name', 'o.description', 'o.created_at', 'o.updated_at'])
      .select((eb) =>
        eb
          .selectFrom('memberships as m')
          .whereRef('m.organization_id', '=', 'o.id')
          .select(eb.fn.countAll<string>().as('count'))
          .as('member_count'),
      )
      .where('o.id', '=', id)
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      id: row.id,
      name: row.name,
      description: row.description,
      memberCount: Number(row.member_count ?? 0),
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  }

  /** Whether the organization exists (and now has these fields). */
  async update(id: string, changes: { name?: string; description?: string }): Promise<boolean> {
    if (!isUuid(id)) return false;
    const result = await this.db
      .updateTable('organizations')
      .set({ ...changes, updated_at: sql<Date>`date_trunc('milliseconds', now())` })
      .where('id', '=', id)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async roleOf(organizationId: string, userId: string): Promise<MemberRole | undefined> {
    if (!isUuid(organizationId) || !isUuid(userId)) return undefined;
    const row = await this.db
      .selectFrom('memberships')
      .select('role')
      .where('organization_id', '=', organizationId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row?.role;
  }

  /** The ids of the user's organizations (at most `limit`, newest membership first). */
  async organizationIdsOf(userId: string, limit: number): Promise<string[]> {
    if (!isUuid(userId)) return [];
    const rows = await this.db
      .selectFrom('memberships')
      .select('organization_id')
      .where('user_id', '=', userId)
      .orderBy('created_at', 'desc')
      .limit(limit)
      .execute();
    return rows.map((row) => row.organization_id);
  }

  /** The user's organizations, newest membership first; `limit + 1` rows (see toPage). */
  async membershipsOf(
    userId: string,
    page: PageRequest,
  ): Promise<(Membership & { id: string; createdAt: Date })[]> {
    const query = this.db
      .selectFrom('memberships as m')
      .innerJoin('organizations as o', 'o.id', 'm.organization_id')
      .select(['o.id', 'o.name', 'm.role', 'm.created_at'])
      .where('m.user_id', '=', userId);
    const rows = await newestFirstPage(query, { createdAt: 'm.created_at', id: 'o.id' }, page).execute();
    return rows.map((row) => ({
      id: row.id,
      createdAt: row.created_at,
      organization: { id: row.id, name: row.name },
      role: row.role,
      joinedAt: row.created_at,
    }));
  }

  /** Members, newest first; `limit + 1` rows (see toPage). */
  async members(
    organizationId: string,
    page: PageRequest,
  ): Promise<(Member & { id: string; createdAt: Date })[]> {
    const query = this.db
      .selectFrom('memberships as m')
      .innerJoin('users as u', 'u.id', 'm.user_id')
      .select(['u.id', 'u.display_name', 'm.role', 'm.created_at'])
      .where('m.organization_id', '=', organizationId);
    const rows = await newestFirstPage(query, { createdAt: 'm.created_at', id: 'u.id' }, page).execute();
    return rows.map((row) => ({
      id: row.id,
      createdAt: row.created_at,
      userId: row.id,
      displayName: row.display_name,
      role: row.role,
      joinedAt: row.created_at,
    }));
  }

  /** Adds the member; false when they already are one (their role is left as it is). */
  async addMember(organizationId: string, userId: string, role: MemberRole): Promise<boolean> {
    const result = await this.db
      .insertInto('memberships')
      .values({ organization_id: organizationId, user_id: userId, role })
      .onConflict((oc) => oc.columns(['organization_id', 'user_id']).doNothing())
      .returning('user_id')
      .executeTakeFirst();
    return result !== undefined;
  }

  /**
   * Removes the member unless they are its last owner (an organization always has one).
   * The organization's owner rows are locked first, so two owners leaving at once cannot both go.
   */
  async removeMember(
    organizationId: string,
    userId: string,
  ): Promise<'removed' | 'not_member' | 'last_owner'> {
    if (!isUuid(organizationId) || !isUuid(userId)) return 'not_member';
    return this.db.transaction().execute(async (tx) => {
      const owners = await tx
        .selectFrom('memberships')
        .select('user_id')
        .where('organization_id', '=', organizationId)
        .where('role', '=', 'owner')
        .forUpdate()
        .execute();
      if (owners.length === 1 && owners[0]!.user_id === userId) return 'last_owner';
      const result = await tx
        .deleteFrom('memberships')
        .where('organization_id', '=', organizationId)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return result.numDeletedRows > 0n ? 'removed' : 'not_member';
    });
  }

  /** Every member of these organizations, with what a message to them needs. */
  async memberContacts(
    organizationIds: string[],
  ): Promise<
    { userId: string; email: string; displayName: string; organizationId: string; role: MemberRole }[]
  > {
    if (organizationIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('memberships as m')
      .innerJoin('users as u', 'u.id', 'm.user_id')
      .select(['u.id', 'u.email', 'u.display_name', 'm.organization_id', 'm.role'])
      .where('m.organization_id', 'in', organizationIds)
      .execute();
    return rows.map((row) => ({
      userId: row.id,
      email: row.email,
      displayName: row.display_name,
      organizationId: row.organization_id,
      role: row.role,
    }));
  }
}
