// Notifications about an accepted invite (a member joined): like those about a referral, unique per
// (user, invite, kind), so a retried fan-out job notifies nobody twice.
import type { Kysely, Migration } from 'kysely';

export const notificationsOfInvites: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable('notifications')
      .addColumn('invite_id', 'uuid', (col) => col.references('invites.id').onDelete('cascade'))
      .execute();
    await db.schema
      .createIndex('notifications_once_per_invite')
      .on('notifications')
      .columns(['user_id', 'invite_id', 'kind'])
      .unique()
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropIndex('notifications_once_per_invite').execute();
    await db.schema.alterTable('notifications').dropColumn('invite_id').execute();
  },
};
