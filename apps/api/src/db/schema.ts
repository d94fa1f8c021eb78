// Kysely's view of the tables. Keep in step with the migrations: they are the source of truth.
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/** A timestamptz the database fills in by default; reads as a Date. */
type DefaultedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface UsersTable {
  id: Generated<string>;
  /** Always stored lowercased (a check constraint enforces it), so the unique index is case-insensitive. */
  email: string;
  display_name: string;
  password_hash: string;
  email_verified_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
}

type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export type MemberRole = 'owner' | 'admin' | 'member';
export type ReferralStatus = 'pending' | 'accepted' | 'declined' | 'completed';

export interface OrganizationsTable {
  id: Generated<string>;
  name: string;
  description: ColumnType<string, string | undefined, string>;
  created_by: string | null;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
}

export interface MembershipsTable {
  organization_id: string;
  user_id: string;
  role: MemberRole;
  created_at: DefaultedTimestamp;
}

export interface InvitesTable {
  id: Generated<string>;
  organization_id: string;
  /** Lowercased, like users.email. */
  email: string;
  role: Exclude<MemberRole, 'owner'>;
  token_hash: string;
  invited_by: string | null;
  expires_at: ColumnType<Date, Date | string, Date | string>;
  accepted_at: NullableTimestamp;
  accepted_by: string | null;
  revoked_at: NullableTimestamp;
  created_at: DefaultedTimestamp;
}

export interface ReferralsTable {
  id: Generated<string>;
  from_organization_id: string;
  to_organization_id: string;
  created_by: string | null;
  candidate_name: string;
  candidate_email: string | null;
  note: ColumnType<string, string | undefined, string>;
  status: ColumnType<ReferralStatus, ReferralStatus | undefined, ReferralStatus>;
  status_changed_by: string | null;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
}

export interface NotificationsTable {
  id: Generated<string>;
  user_id: string;
  /** What the notification is about: a referral, or an accepted invite (a member joined). */
  referral_id: string | null;
  invite_id: string | null;
  /** `referral_<event>`, `member_joined`. */
  kind: string;
  message: string;
  read_at: NullableTimestamp;
  created_at: DefaultedTimestamp;
}

export interface OutboxTable {
  /** The order events were recorded in (per aggregate, the order they are relayed in). */
  id: Generated<string>;
  /** What the event is about (`referral:<id>`, `invite:<id>`): its events reach the queue in order. */
  aggregate: string;
  /** The queue job it becomes, e.g. `referral_event` on the `network` queue, `invite` on `email`. */
  queue: string;
  job: string;
  /** The job's payload; its `secret` fields (a mail's link) sealed, and `[redacted]` once sent. */
  payload: ColumnType<unknown, string, string>;
  /** The job's idempotency key: a relay retried after a crash adds no second job. */
  idempotency_key: string;
  created_at: DefaultedTimestamp;
  /** Set once the job is in the queue. */
  sent_at: NullableTimestamp;
  /** A relay working on the event holds it until then; another takes it over after. */
  claimed_until: NullableTimestamp;
  attempts: ColumnType<number, number | undefined, number>;
  last_error: string | null;
}

export interface DatabaseSchema {
  users: UsersTable;
  organizations: OrganizationsTable;
  memberships: MembershipsTable;
  invites: InvitesTable;
  referrals: ReferralsTable;
  notifications: NotificationsTable;
  outbox: OutboxTable;
}

export type UserRow = Selectable<UsersTable>;
export type NewUserRow = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;
