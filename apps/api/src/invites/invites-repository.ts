// Invites in the database. They are business records (listed, revoked, valid for days), so they
// live here and not in Redis; only a hash of the emailed token is stored.
import { sql, type Kysely, type Selectable } from 'kysely';
import type { DatabaseSchema, InvitesTable, MemberRole } from '../db/schema.js';
import { newestFirstPage } from '../db/keyset.js';
import { isUuid } from '../db/uuid.js';
import type { PageRequest } from '../http/pagination.js';

export type InviteRole = Exclude<MemberRole, 'owner'>;

export interface Invite {
  id: string;
  organizationId: string;
  email: string;
  role: InviteRole;
  invitedBy: string | null;
  expiresAt: Date;
  acceptedAt: Date | null;
  revokedAt: Date | null;
  createdAt: Date;
}

export class InvitesRepository {
  constructor(private readonly db: Kysely<DatabaseSchema>) {}

  async create(input: {
    organizationId: string;
    email: string;
    role: InviteRole;
    invitedBy: string;
    tokenHash: string;
    expiresAt: Date;
  }): Promise<Invite> {
    const row = await this.db
      .insertInto('invites')
      .values({
        organization_id: input.organizationId,
        email: input.email.trim().toLowerCase(),
        role: input.role,
        invited_by: input.invitedBy,
        token_hash: input.tokenHash,
        expires_at: input.expiresAt,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toInvite(row);
  }

  async findByTokenHash(tokenHash: string): Promise<Invite | undefined> {
    const row = await this.db
      .selectFrom('invites')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
    return row && toInvite(row);
  }

  /** Open invites (not accepted, revoked or expired), newest first; `limit + 1` rows. */
  async listOpen(organizationId: string, page: PageRequest): Promise<Invite[]> {
    const query = this.db
      .selectFrom('invites')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where('accepted_at', 'is', null)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', sql<Date>`now()`);
    const rows = await newestFirstPage(query, { createdAt: 'created_at', id: 'id' }, page).execute();
    return rows.map(toInvite);
  }

  /** Revokes an open invite of the organization; false when there is none. */
  async revoke(organizationId: string, inviteId: string): Promise<boolean> {
    if (!isUuid(inviteId)) return false;
    const result = await this.db
      .updateTable('invites')
      .set({ revoked_at: sql<Date>`now()` })
      .where('id', '=', inviteId)
      .where('organization_id', '=', organizationId)
      .where('accepted_at', 'is', null)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** Deletes invites that expired or were revoked more than `days` ago and were never accepted. */
  async deleteStale(days: number): Promise<number> {
    const cutoff = sql<Date>`now() - make_interval(days => ${days})`;
    const result = await this.db
      .deleteFrom('invites')
      .where('accepted_at', 'is', null)
      .where((eb) => eb.or([eb('expires_at', '<', cutoff), eb('revoked_at', '<', cutoff)]))
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /**
   * Marks the invite accepted by the user and adds the membership, in one transaction (the caller's,
   * when this repository is on one); the conditional update makes it single-use even under
   * concurrent acceptance. Undefined when the invite was no longer open; `joined` is false when the
   * user already was a member (their role stays as it was).
   */
  async accept(
    inviteId: string,
    userId: string,
  ): Promise<{ organizationId: string; role: InviteRole; joined: boolean } | undefined> {
    const work = async (tx: Kysely<DatabaseSchema>) => {
      const accepted = await tx
        .updateTable('invites')
        .set({ accepted_at: sql<Date>`now()`, accepted_by: userId })
        .where('id', '=', inviteId)
        .where('accepted_at', 'is', null)
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', sql<Date>`now()`)
        .returning(['organization_id', 'role'])
        .executeTakeFirst();
      if (!accepted) return undefined;
      const added = await tx
        .insertInto('memberships')
        .values({ organization_id: accepted.organization_id, user_id: userId, role: accepted.role })
        .onConflict((oc) => oc.columns(['organization_id', 'user_id']).doNothing())
        .returning('user_id')
        .executeTakeFirst();
      return { organizationId: accepted.organization_id, role: accepted.role, joined: added !== undefined };
    };
    return this.db.isTransaction ? work(this.db) : this.db.transaction().execute(work);
  }
}

function toInvite(row: Selectable<InvitesTable>): Invite {
  return {
    id: row.id,
    organizationId: row.organization_id,
    email: row.email,
    role: row.role,
    invitedBy: row.invited_by,
    expiresAt: row.expires_at,
    acceptedAt: row.accepted_at,
    revokedAt: row.revoked_at,
    createdAt: row.created_at,
  };
}
