// A user's notifications, newest first. Each is about a referral or an accepted invite (a member
// joined). Writing is idempotent per (user, referral or invite, kind), so a retried fan-out job adds
// nothing twice.
import { sql, type Kysely } from 'kysely';
import type { DatabaseSchema } from '../db/schema.js';
import { newestFirstPage } from '../db/keyset.js';
import { isUuid } from '../db/uuid.js';
import type { PageRequest } from '../http/pagination.js';

export interface Notification {
  id: string;
  referralId: string | null;
  inviteId: string | null;
  kind: string;
  message: string;
  read: boolean;
  createdAt: Date;
}

export class NotificationsRepository {
  constructor(private readonly db: Kysely<DatabaseSchema>) {}

  /** Adds one notification per user; returns how many were new. */
  async addForUsers(
    userIds: string[],
    notification: { kind: string; message: string } & ({ referralId: string } | { inviteId: string }),
  ): Promise<number> {
    if (userIds.length === 0) return 0;
    const rows = await this.db
      .insertInto('notifications')
      .values(
        userIds.map((userId) => ({
          user_id: userId,
          referral_id: 'referralId' in notification ? notification.referralId : null,
          invite_id: 'inviteId' in notification ? notification.inviteId : null,
          kind: notification.kind,
          message: notification.message,
        })),
      )
      // Either unique index (per referral, per invite) may be the one a retry meets.
      .onConflict((oc) => oc.doNothing())
      .returning('id')
      .execute();
    return rows.length;
  }

  /** `limit + 1` rows (see toPage). */
  async list(userId: string, page: PageRequest): Promise<(Notification & { id: string; createdAt: Date })[]> {
    const query = this.db
      .selectFrom('notifications')
      .select(['id', 'referral_id', 'invite_id', 'kind', 'message', 'read_at', 'created_at'])
      .where('user_id', '=', userId);
    const rows = await newestFirstPage(query, { createdAt: 'created_at', id: 'id' }, page).execute();
    return rows.map((row) => ({
      id: row.id,
      referralId: row.referral_id,
      inviteId: row.invite_id,
      kind: row.kind,
      message: row.message,
      read: row.read_at !== null,
      createdAt: row.created_at,
    }));
  }

  /** Marks the user's notification read; false when they have no such notification. */
  async markRead(userId: string, notificationId: string): Promise<boolean> {
    if (!isUuid(notificationId)) return false;
    const result = await this.db
      .updateTable('notifications')
      .set({ read_at: sql<Date>`coalesce(read_at, now())` })
      .where('id', '=', notificationId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }
}
