// Referrals in the database, as plain objects. Status changes are conditional updates, so two
// people acting on one referral at once cannot both move it.
import { sql, type Kysely, type Selectable } from 'kysely';
import type { DatabaseSchema, ReferralStatus, ReferralsTable } from '../db/schema.js';
import { newestFirstPage } from '../db/keyset.js';
import { isUuid } from '../db/uuid.js';
import type { PageRequest } from '../http/pagination.js';

export interface Referral {
  id: string;
  fromOrganizationId: string;
  toOrganizationId: string;
  createdBy: string | null;
  candidateName: string;
  candidateEmail: string | null;
  note: string;
  status: ReferralStatus;
  statusChangedBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewReferral {
  fromOrganizationId: string;
  toOrganizationId: string;
  createdBy: string;
  candidateName: string;
  candidateEmail?: string | undefined;
  note?: string | undefined;
}

export interface ReferralListing {
  organizationId: string;
  /** `sent`: referrals the organization made; `received`: referrals made to it. */
  direction: 'sent' | 'received';
  status?: ReferralStatus | undefined;
}

export class ReferralsRepository {
  constructor(private readonly db: Kysely<DatabaseSchema>) {}

  async create(input: NewReferral): Promise<Referral> {
    const row = await this.db
      .insertInto('referrals')
      .values({
        from_organization_id: input.fromOrganizationId,
        to_organization_id: input.toOrganizationId,
        created_by: input.createdBy,
        candidate_name: input.candidateName,
        candidate_email: input.candidateEmail ?? null,
        note: input.note ?? '',
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toReferral(row);
  }

  async findById(id: string): Promise<Referral | undefined> {
    if (!isUuid(id)) return undefined;
    const row = await this.db.selectFrom('referrals').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toReferral(row);
  }

  /** Newest first; `limit + 1` rows (see toPage). */
  async list(listing: ReferralListing, page: PageRequest): Promise<Referral[]> {
    const column = listing.direction === 'sent' ? 'from_organization_id' : 'to_organization_id';
    let query = this.db.selectFrom('referrals').selectAll().where(column, '=', listing.organizationId);
    if (listing.status) query = query.where('status', '=', listing.status);
    const rows = await newestFirstPage(query, { createdAt: 'created_at', id: 'id' }, page).execute();
    return rows.map(toReferral);
  }

  /** Moves the referral from `from` to `to`; undefined when it was not in `from` (any more). */
  async transition(
    id: string,
    from: ReferralStatus,
    to: ReferralStatus,
    actorId: string,
  ): Promise<Referral | undefined> {
    const row = await this.db
      .updateTable('referrals')
      .set({
        status: to,
        status_changed_by: actorId,
        updated_at: sql<Date>`date_trunc('milliseconds', now())`,
      })
      .where('id', '=', id)
      .where('status', '=', from)
      .returningAll()
      .executeTakeFirst();
    return row && toReferral(row);
  }
}

export interface PendingDigestRow {
  userId: string;
  email: string;
  displayName: string;
  organizationName: string;
  pending: number;
}

/** Per member and organization: referrals the organization received that still wait for an answer. */
export async function pendingReferralsByMember(db: Kysely<DatabaseSchema>): Promise<PendingDigestRow[]> {
  const rows = await db
    .selectFrom('memberships as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .innerJoin('organizations as o', 'o.id', 'm.organization_id')
    .innerJoin('referrals as r', (join) =>
      join.onRef('r.to_organization_id', '=', 'm.organization_id').on('r.status', '=', 'pending'),
    )
    .select(['u.id', 'u.email', 'u.display_name', 'o.name'])
    .select((eb) => eb.fn.countAll<string>().as('pending'))
    .groupBy(['u.id', 'u.email', 'u.display_name', 'o.id', 'o.name'])
    .orderBy('u.id')
    .orderBy('o.name')
    .execute();
  return rows.map((row) => ({
    userId: row.id,
    email: row.email,
    displayName: row.display_name,
    organizationName: row.name,
    pending: Number(row.pending),
  }));
}

function toReferral(row: Selectable<ReferralsTable>): Referral {
  return {
    id: row.id,
    fromOrganizationId: row.from_organization_id,
    toOrganizationId: row.to_organization_id,
    createdBy: row.created_by,
    candidateName: row.candidate_name,
    candidateEmail: row.candidate_email,
    note: row.note,
    status: row.status,
    statusChangedBy: row.status_changed_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
