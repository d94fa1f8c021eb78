// In-app notifications: what happened to referrals of the user's organizations.
import { sql, type Kysely, type Migration } from 'kysely';

const nowMs = sql`date_trunc('milliseconds', now())`;

export const createNotifications: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('notifications')
      .addColumn('id', 'uuid', (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
      .addColumn('user_id', 'uuid', (col) => col.notNull().references('users.id').onDelete('cascade'))
      .addColumn('referral_id', 'uuid', (col) => col.references('referrals.id').onDelete('cascade'))
      .addColumn('kind', 'text', (col) => col.notNull())
      .addColumn('message', 'text', (col) => col.notNull())
      .addColumn('read_at', 'timestamptz')
      .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(nowMs))
      .execute();
    await db.schema
      .createIndex('notifications_user_recent')
      .on('notifications')
      .columns(['user_id', 'created_at', 'id'])
      .execute();
    // A retried fan-out job must not notify anyone twice.
    await db.schema
      .createIndex('notifications_once')
      .on('notifications')
      .columns(['user_id', 'referral_id', 'kind'])
      .unique()
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('notifications').execute();
  },
};
